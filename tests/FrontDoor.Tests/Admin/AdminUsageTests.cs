using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>The <c>usage</c> extension of admin reads, from the quota bank's current windows.</summary>
public sealed class AdminUsageTests
{
    [Fact]
    public async Task Reads_ShowCurrentWindowsAndExhaustedOnceAHardBudgetIsSpent()
    {
        var bank = new StubBank();
        var folder = TestGateway.NewDataFolder();
        try
        {
            await using var gateway = await TestGateway.StartAsync(dataFolder: folder, services: services => services.Replace(ServiceDescriptor.Singleton<IQuotaBank>(bank)));
            var workspace = (await gateway.Admin.Post("/v1/admin/workspaces", """{"name":"usage"}""")).Ok().Str("id");
            var vk = (await gateway.Admin.Post("/v1/virtual-keys", $$$"""
                {"name":"u","provider":"openai","key":"sk-usage-secret-123456","workspace_id":"{{{workspace}}}","usage_limits":{"credit_limit":2}}
                """)).Ok();
            var now = DateTimeOffset.UtcNow;
            var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
            bank.Rows[vk.Str("id")] =
            [
                new QuotaUsage(new QuotaWindow(GovernedKind.VirtualKey, vk.Str("id"), QuotaMeter.CostMicros, month.AddMonths(-1), month), 9_000_000, 0, now),
                new QuotaUsage(new QuotaWindow(GovernedKind.VirtualKey, vk.Str("id"), QuotaMeter.CostMicros, DateTimeOffset.UnixEpoch, null), 1_250_000, 500_000, now),
            ];

            var read = (await gateway.Admin.Get($"/v1/virtual-keys/{vk.Str("slug")}")).Ok();
            Assert.Equal("active", read.Str("status"));
            Assert.Equal(
                """{"status":"active","windows":[{"meter":"cost_usd","start":"1970-01-01T00:00:00+00:00","end":null,"used":1.25,"reserved":0.5}]}""",
                read.GetProperty("usage").GetRawText());

            bank.Rows[vk.Str("id")] =
            [
                new QuotaUsage(new QuotaWindow(GovernedKind.VirtualKey, vk.Str("id"), QuotaMeter.CostMicros, DateTimeOffset.UnixEpoch, null), 2_000_000, 0, now),
            ];
            var exhausted = (await gateway.Admin.Get($"/v1/virtual-keys?workspace_id={workspace}")).Ok().GetProperty("data")[0];
            Assert.Equal("exhausted", exhausted.Str("status"));
            Assert.Equal("exhausted", exhausted.GetProperty("usage").Str("status"));

            (await gateway.Admin.Put($"/v1/virtual-keys/{vk.Str("slug")}", """{"usage_limits":{"credit_limit":2,"enforcement":"soft"}}""")).Empty();
            Assert.Equal("active", (await gateway.Admin.Get($"/v1/virtual-keys/{vk.Str("slug")}")).Ok().Str("status"));
            Assert.Equal("""{"status":"active","windows":[]}""", (await gateway.Admin.Get($"/v1/admin/workspaces/{workspace}")).Ok().GetProperty("usage").GetRawText());
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    [Fact]
    public async Task GrainUnreachable_ReadsLeaveUsageOut_AndALimitsChangeIsStoredAndAudited()
    {
        var bank = new StubBank { Unreachable = true };
        var folder = TestGateway.NewDataFolder();
        try
        {
            await using var gateway = await TestGateway.StartAsync(dataFolder: folder, services: services => services.Replace(ServiceDescriptor.Singleton<IQuotaBank>(bank)));
            var workspace = (await gateway.Admin.Post("/v1/admin/workspaces", """{"name":"unreachable"}""")).Ok().Str("id");

            var read = (await gateway.Admin.Get($"/v1/admin/workspaces/{workspace}")).Ok();
            (await gateway.Admin.Put($"/v1/admin/workspaces/{workspace}", """{"usage_limits":{"credit_limit":3}}""")).Empty();

            Assert.False(read.TryGetProperty("usage", out _));
            Assert.Equal(3m, (await gateway.Admin.Get($"/v1/admin/workspaces/{workspace}")).Ok().GetProperty("usage_limits")[0].GetProperty("credit_limit").GetDecimal());
            Assert.Equal(1, bank.LimitsPushes);
            var audit = (await gateway.Admin.Get($"/v1/audit-logs?resource_id={workspace}")).Ok().GetProperty("records");
            Assert.Equal(["workspaces.update", "workspaces.create"], audit.EnumerateArray().Select(record => record.Str("action")));
        }
        finally
        {
            TestGateway.DeleteFolder(folder);
        }
    }

    private sealed class StubBank : IQuotaBank
    {
        public Dictionary<string, IReadOnlyList<QuotaUsage>> Rows { get; } = [];

        /// <summary>Every call to the quota authority fails, as while a grain moves after its silo died.</summary>
        public bool Unreachable { get; init; }

        public int LimitsPushes { get; private set; }

        public ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new QuotaDecision(-1, claims.Select(c => c.Amount).ToArray()));

        public event Action<QuotaChange>? SpendRecorded
        {
            add { }
            remove { }
        }

        public void Settle(IReadOnlyList<QuotaSettlement> settlements)
        {
        }

        public Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) =>
            Unreachable ? throw new TimeoutException("unreachable (test)") : Task.FromResult(Rows.GetValueOrDefault(entityId) ?? []);

        public Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
        {
            LimitsPushes++;
            return Unreachable ? throw new TimeoutException("unreachable (test)") : Task.CompletedTask;
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
