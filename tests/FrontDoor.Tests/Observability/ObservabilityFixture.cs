using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>
/// A gateway on its embedded store (a real SQLite file) with two workspaces, A and B, each holding records seeded
/// straight through the host's <see cref="IRequestLogStore"/>, and a workspace key for each with every observability
/// scope. Tests that write (custom logs, feedback) make workspaces of their own so the seeded counts stay exact.
/// </summary>
public sealed class ObservabilityFixture : IAsyncLifetime
{
    public static readonly string[] Scopes = ["logs.list", "logs.view", "logs.write", "logs.export", "analytics.view", "feedback.write"];

    private TestGateway? _gateway;

    internal TestGateway Gateway => _gateway!;

    internal AdminCalls Admin => Gateway.Admin;

    public string WorkspaceA { get; private set; } = "";

    public string WorkspaceB { get; private set; } = "";

    internal AdminCalls KeyA { get; private set; } = null!;

    internal AdminCalls KeyB { get; private set; } = null!;

    /// <summary>The first seeded record's time: a whole hour, three hours ago.</summary>
    public DateTimeOffset Base { get; private set; }

    /// <summary>Workspace A's records, oldest first.</summary>
    public IReadOnlyList<RequestLogRecord> RecordsA { get; private set; } = [];

    public IReadOnlyList<RequestLogRecord> RecordsB { get; private set; } = [];

    public IRequestLogStore Store => Gateway.Services.GetRequiredService<IRequestLogStore>();

    /// <summary>The analytics range covering every seeded record, in Portkey's query form.</summary>
    public string Range => $"time_of_generation_min={Uri.EscapeDataString(Base.AddHours(-1).ToString("O"))}&time_of_generation_max={Uri.EscapeDataString(Base.AddHours(2).ToString("O"))}";

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync();
        var now = TimeProvider.System.GetUtcNow();
        Base = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        (WorkspaceA, KeyA) = await NewWorkspaceAsync("obs-a");
        (WorkspaceB, KeyB) = await NewWorkspaceAsync("obs-b");

        RecordsA =
        [
            Record(WorkspaceA, Base.AddMinutes(1), "openai", "gpt-4o", 200, 1_500_000, 100, "trace-a1") with
            {
                Metadata = new Dictionary<string, string> { ["team"] = "search", ["_user"] = "alice" },
                User = "alice",
                RequestBody = """{"model":"gpt-4o","messages":[{"role":"user","content":"find the blue whale"}]}""",
                ResponseBody = """{"id":"c1","choices":[{"message":{"content":"here"}}]}""",
                Bodies = LogBodies.Full,
                InputTokens = 10,
                OutputTokens = 5,
                Attempts = [new LogAttempt(0, "targets[0]", "openai", "gpt-4o", 200, null, 90, Base.AddMinutes(1))],
                HookResults = """{"before_request_hooks":[]}""",
            },
            Record(WorkspaceA, Base.AddMinutes(2), "openai", "gpt-4o", 429, 0, 20, "trace-a1") with { ErrorType = "rate_limit_error" },
            Record(WorkspaceA, Base.AddMinutes(3), "anthropic", "claude-3", 200, 2_000_000, 300, "trace-a2") with
            {
                Metadata = new Dictionary<string, string> { ["team"] = "ads", ["_user"] = "bob" },
                User = "bob",
                CacheStatus = "MISS",
                InputTokens = 20,
                OutputTokens = 30,
            },
            Record(WorkspaceA, Base.AddMinutes(4), "openai", "gpt-4o", 200, 0, 2, "trace-a3") with { CacheStatus = "HIT", User = "alice", Metadata = new Dictionary<string, string> { ["team"] = "search" } },
            Record(WorkspaceA, Base.AddMinutes(65), "openai", "gpt-4o-mini", 500, 0, 50, "trace-a4") with { ErrorType = "server_error" },
        ];
        RecordsB =
        [
            Record(WorkspaceB, Base.AddMinutes(5), "openai", "gpt-4o", 200, 7_000_000, 80, "trace-b1") with { Metadata = new Dictionary<string, string> { ["team"] = "search" } },
            Record(WorkspaceB, Base.AddMinutes(6), "openai", "gpt-4o", 200, 3_000_000, 60, "trace-b2"),
        ];
        await Store.AppendAsync([.. RecordsA, .. RecordsB], default);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        TestGateway.DeleteFolder(Gateway.DataFolder);
    }

    /// <summary>A new workspace and a workspace key in it with every observability scope.</summary>
    internal async Task<(string WorkspaceId, AdminCalls Key)> NewWorkspaceAsync(string name)
    {
        var id = (await Admin.Post("/v1/admin/workspaces", $$"""{"name":"{{name}}-{{Guid.NewGuid():N}}"}""")).Ok().Str("id");
        var scopes = string.Join(',', Scopes.Select(s => $"\"{s}\""));
        var key = (await Admin.Post("/v1/api-keys/workspace/service", $$"""{"name":"observer","scopes":[{{scopes}}],"workspace_id":"{{id}}"}""")).Ok().Str("key");
        return (id, new AdminCalls(Gateway.Client, key));
    }

    internal static RequestLogRecord Record(string workspace, DateTimeOffset at, string provider, string model, int status, long costMicros, double ms, string trace) => new()
    {
        Id = Guid.CreateVersion7(at).ToString("N"),
        CreatedAt = at,
        ExpiresAt = at.AddDays(30),
        WorkspaceId = workspace,
        TraceId = trace,
        SpanId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]),
        Endpoint = "chat.completions",
        Path = "/v1/chat/completions",
        Status = status,
        Provider = provider,
        ModelRequested = model,
        ModelUsed = model,
        CostMicros = costMicros,
        TotalMs = ms,
        UpstreamMs = ms * 0.9,
        VirtualKey = "vk-" + provider,
    };
}
