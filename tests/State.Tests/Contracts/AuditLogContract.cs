using static Switchyard.State.Tests.Contracts.StoreSamples;

namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// The <see cref="IAuditLog"/> contract: records read back exactly as appended, newest first (ties in the same instant:
/// the later append first); every filter narrows, <c>From</c> is inclusive and <c>To</c> exclusive; offset and limit
/// page; <see cref="IAuditLog.CountAsync"/> counts what the filters match, ignoring paging. Each test works in a
/// workspace id of its own, since the store is shared by the class.
/// </summary>
public abstract class AuditLogContract
{
    protected abstract IStoreBackend Backend { get; }

    private IAuditLog Audit => Backend.Audit;

    private static AuditRecord NewRecord(string workspaceId, DateTimeOffset at, string action = "workspace.update", string targetKind = "workspace", string? targetId = null) => new(
        $"aud_{Guid.NewGuid():N}", at, "key_admin", action, targetKind, targetId ?? workspaceId, workspaceId,
        """{"name":"Before — é"}""", """{"name":"After 東京"}""", $"req_{Guid.NewGuid():N}");

    private async Task<(string WorkspaceId, List<AuditRecord> Records)> AppendHourlyAsync(int count)
    {
        var workspaceId = $"ws_{Guid.NewGuid():N}";
        var records = Enumerable.Range(0, count).Select(i => NewRecord(workspaceId, Now.AddHours(i))).ToList();
        foreach (var record in records)
        {
            await Audit.AppendAsync(record, default);
        }

        return (workspaceId, records);
    }

    private static void Same(AuditRecord expected, AuditRecord actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        StoreAssert.SameInstant(expected.At, actual.At);
        Assert.Equal(expected with { At = actual.At }, actual);
    }

    private static void SameIds(IEnumerable<AuditRecord> expected, IEnumerable<AuditRecord> actual) =>
        Assert.Equal(expected.Select(r => r.Id), actual.Select(r => r.Id));

    [Fact]
    public async Task Append_ThenQuery_RoundTripsEveryField()
    {
        var workspaceId = $"ws_{Guid.NewGuid():N}";
        var record = NewRecord(workspaceId, new DateTimeOffset(2026, 11, 22, 13, 0, 0, TimeSpan.FromHours(1)).AddTicks(1_234_560));
        var withNulls = NewRecord(workspaceId, Now.AddDays(-1)) with { Before = null, After = null };

        await Audit.AppendAsync(record, default);
        await Audit.AppendAsync(withNulls, default);

        var read = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId), default);
        Assert.Equal(2, read.Count);
        Same(record, read[0]);
        Same(withNulls, read[1]);
    }

    [Fact]
    public async Task Append_NoWorkspace_IsFoundWithoutWorkspaceFilter()
    {
        var targetId = $"key_{Guid.NewGuid():N}";
        var record = NewRecord("ws_x", Now, "api_key.create", "api_key", targetId) with { WorkspaceId = null };

        await Audit.AppendAsync(record, default);

        Same(record, Assert.Single(await Audit.QueryAsync(new AuditQuery(TargetId: targetId), default)));
    }

    [Fact]
    public async Task Query_Always_NewestFirstAndSameInstantLaterAppendFirst()
    {
        var workspaceId = $"ws_{Guid.NewGuid():N}";
        var old = NewRecord(workspaceId, Now.AddHours(-1));
        var first = NewRecord(workspaceId, Now);
        var second = NewRecord(workspaceId, Now);
        var newest = NewRecord(workspaceId, Now.AddHours(1));
        foreach (var record in new[] { first, newest, old, second })
        {
            await Audit.AppendAsync(record, default);
        }

        SameIds([newest, second, first, old], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId), default));
    }

    [Fact]
    public async Task Query_FromAndTo_FromInclusiveToExclusive()
    {
        var (workspaceId, records) = await AppendHourlyAsync(5);

        var read = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, From: Now.AddHours(1), To: Now.AddHours(3)), default);
        var count = await Audit.CountAsync(new AuditQuery(WorkspaceId: workspaceId, From: Now.AddHours(1), To: Now.AddHours(3)), default);

        SameIds([records[2], records[1]], read);
        Assert.Equal(2, count);
        SameIds([records[4], records[3]], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, From: Now.AddHours(3)), default));
        SameIds([records[0]], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, To: Now.AddHours(1)), default));
    }

    [Fact]
    public async Task Query_FromWithOffset_ComparesInstantsNotLocalTimes()
    {
        var (workspaceId, records) = await AppendHourlyAsync(3);

        // 14:00+02:00 is 12:00Z: the first record is included; one microsecond (the stores' precision) after 13:00Z excludes the second.
        var from = new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(3, await Audit.CountAsync(new AuditQuery(WorkspaceId: workspaceId, From: from), default));
        SameIds([records[2]], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, From: from.AddTicks(10).AddHours(1)), default));
    }

    [Fact]
    public async Task Query_ActionTargetKindAndTargetId_EachFilter()
    {
        var workspaceId = $"ws_{Guid.NewGuid():N}";
        var keyId = $"key_{Guid.NewGuid():N}";
        var created = NewRecord(workspaceId, Now, "api_key.create", "api_key", keyId);
        var revoked = NewRecord(workspaceId, Now.AddMinutes(1), "api_key.revoke", "api_key", keyId);
        var otherKey = NewRecord(workspaceId, Now.AddMinutes(2), "api_key.create", "api_key");
        var workspace = NewRecord(workspaceId, Now.AddMinutes(3), "workspace.update", "workspace");
        foreach (var record in new[] { created, revoked, otherKey, workspace })
        {
            await Audit.AppendAsync(record, default);
        }

        SameIds([otherKey, created], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Action: "api_key.create"), default));
        SameIds([otherKey, revoked, created], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, TargetKind: "api_key"), default));
        SameIds([revoked, created], await Audit.QueryAsync(new AuditQuery(TargetKind: "api_key", TargetId: keyId), default));
        SameIds([created], await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Action: "api_key.create", TargetId: keyId), default));
        Assert.Equal(3, await Audit.CountAsync(new AuditQuery(WorkspaceId: workspaceId, TargetKind: "api_key"), default));
        Assert.Empty(await Audit.QueryAsync(new AuditQuery(WorkspaceId: $"ws_{Guid.NewGuid():N}", TargetId: keyId), default));
    }

    [Fact]
    public async Task Query_OffsetAndLimit_PageNewestFirstAndCountIgnoresThem()
    {
        var (workspaceId, records) = await AppendHourlyAsync(5);

        var page1 = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Offset: 0, Limit: 2), default);
        var page2 = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Offset: 2, Limit: 2), default);
        var page3 = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Offset: 4, Limit: 2), default);
        var beyond = await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Offset: 5, Limit: 2), default);

        SameIds([records[4], records[3]], page1);
        SameIds([records[2], records[1]], page2);
        SameIds([records[0]], page3);
        Assert.Empty(beyond);
        Assert.Equal(5, await Audit.CountAsync(new AuditQuery(WorkspaceId: workspaceId, Offset: 4, Limit: 1), default));
        Assert.Empty(await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId, Limit: 0), default));
    }

    [Fact]
    public async Task Query_DefaultLimit_Is50()
    {
        var (workspaceId, _) = await AppendHourlyAsync(51);

        Assert.Equal(50, (await Audit.QueryAsync(new AuditQuery(WorkspaceId: workspaceId), default)).Count);
        Assert.Equal(51, await Audit.CountAsync(new AuditQuery(WorkspaceId: workspaceId), default));
    }

    [Fact]
    public async Task Query_NegativeOffset_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Audit.QueryAsync(new AuditQuery(Offset: -1), default));
    }

    [Fact]
    public async Task Append_DuplicateId_ThrowsConflictNamingTheId()
    {
        var record = NewRecord($"ws_{Guid.NewGuid():N}", Now);
        await Audit.AppendAsync(record, default);

        var error = await Assert.ThrowsAsync<StateConflictException>(() => Audit.AppendAsync(record with { Action = "other" }, default));

        Assert.Equal($"an audit record with id '{record.Id}' already exists", error.Message);
        Same(record, Assert.Single(await Audit.QueryAsync(new AuditQuery(WorkspaceId: record.WorkspaceId), default)));
    }
}
