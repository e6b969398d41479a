using System.Diagnostics.CodeAnalysis;
using Orleans.Storage;

namespace Switchyard.State.Tests.GrainStorage;

/// <summary>
/// A grain's persisted state as the tests write it: a number, text and a list, so a round trip shows every field. Marked
/// for Orleans' serializer as grain states are: the silo's default storage serializer reads back only types it allows.
/// </summary>
[GenerateSerializer]
[Alias("Switchyard.State.Tests.LedgerState")]
public sealed class LedgerState
{
    [Id(0)]
    public long Spent { get; set; }

    [Id(1)]
    public string Note { get; set; } = "";

    [Id(2)]
    public List<long> Grants { get; set; } = [];
}

/// <summary>What a grain hands its storage: the state and the ETag and existence the storage last reported.</summary>
public sealed class LedgerGrainState : IGrainState<LedgerState>
{
    [AllowNull]
    public LedgerState State { get; set => field = value ?? new(); } = new();

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}

/// <summary>
/// Orleans' ETag contract for a grain storage provider, run against each provider the silos use, through
/// <see cref="IGrainStorage"/> as the silo resolved it. Every test uses grain keys of its own: the provider (and its
/// database) is shared by the class.
/// </summary>
public abstract class GrainStorageContract(IGrainStorage storage)
{
    private const string LedgerType = "ledger";
    private const string StateName = "ledger";

    /// <summary>
    /// Whether two grain types with the same key and state name get separate states. Orleans' ADO.NET provider keys
    /// state by state name and grain key only (the grain type is not among its query parameters), so there they share.
    /// </summary>
    protected abstract bool KeysStateByGrainType { get; }

    /// <summary>
    /// Whether a cleared state keeps its row (and so its version, as the ETag). Orleans' ADO.NET provider deletes the row
    /// instead when DeleteStateOnClear is set, and the SQLite storage always does; then the ETag after a clear is none,
    /// as for a state never written.
    /// </summary>
    protected virtual bool ClearKeepsTheRow => true;

    [Fact]
    public async Task ReadStateAsync_NeverWritten_GivesDefaultStateWithoutETagOrRecord()
    {
        var read = new LedgerGrainState { State = new LedgerState { Spent = 99 }, ETag = "stale", RecordExists = true };

        await storage.ReadStateAsync(StateName, NewGrain(), read);

        Assert.Equal(0, read.State.Spent);
        Assert.Equal("", read.State.Note);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_FirstWriteWithoutETag_StoresItAndSetsTheETag()
    {
        var grain = NewGrain();
        var written = Ledger(5, "first");

        await storage.WriteStateAsync(StateName, grain, written);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);
        var read = await ReadAsync(grain);
        Assert.Equal(5, read.State.Spent);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task ReadStateAsync_AfterWrites_RoundTripsTheLatestStateAndETag()
    {
        var grain = NewGrain();
        var written = Ledger(1, "first");
        await storage.WriteStateAsync(StateName, grain, written);
        var firstETag = written.ETag;
        written.State = new LedgerState { Spent = 1_000_001, Note = "zweite Zahlung, 二つ目 ✓", Grants = [250, 500, 250_001] };

        await storage.WriteStateAsync(StateName, grain, written);

        Assert.NotEqual(firstETag, written.ETag);
        var read = await ReadAsync(grain);
        Assert.Equal(1_000_001, read.State.Spent);
        Assert.Equal("zweite Zahlung, 二つ目 ✓", read.State.Note);
        Assert.Equal([250L, 500L, 250_001L], read.State.Grants);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_StaleETag_ThrowsAndKeepsTheStoredState()
    {
        var grain = NewGrain();
        await storage.WriteStateAsync(StateName, grain, Ledger(1, "first"));
        var early = await ReadAsync(grain);
        var late = await ReadAsync(grain);
        late.State.Spent = 2;
        await storage.WriteStateAsync(StateName, grain, late);
        early.State.Spent = 3;

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, early));

        var read = await ReadAsync(grain);
        Assert.Equal(2, read.State.Spent);
        Assert.Equal(late.ETag, read.ETag);
    }

    [Fact]
    public async Task WriteStateAsync_WithoutETagWhenStateExists_Throws()
    {
        var grain = NewGrain();
        await storage.WriteStateAsync(StateName, grain, Ledger(1, "first"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, Ledger(2, "second")));

        Assert.Equal(1, (await ReadAsync(grain)).State.Spent);
    }

    [Fact]
    public async Task WriteStateAsync_ConcurrentFirstWrites_ExactlyOneWins()
    {
        const int Writers = 6;
        for (var round = 0; round < 10; round++)
        {
            var grain = NewGrain();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writes = Enumerable.Range(1, Writers).Select(writer => Task.Run(async () =>
            {
                await start.Task;
                var state = Ledger(writer, $"writer {writer}");
                try
                {
                    await storage.WriteStateAsync(StateName, grain, state);
                    return (Writer: writer, state.ETag);
                }
                catch (InconsistentStateException)
                {
                    return (Writer: 0, ETag: null);
                }
            })).ToList();
            start.SetResult();
            var outcomes = await Task.WhenAll(writes);

            var winner = Assert.Single(outcomes, o => o.Writer != 0);
            var read = await ReadAsync(grain);
            Assert.Equal(winner.Writer, read.State.Spent);
            Assert.Equal(winner.ETag, read.ETag);
        }
    }

    [Fact]
    public async Task ClearStateAsync_ThenWriteWithTheClearedETag_Succeeds()
    {
        var grain = NewGrain();
        var state = Ledger(7, "to clear");
        await storage.WriteStateAsync(StateName, grain, state);
        var writtenETag = state.ETag;

        await storage.ClearStateAsync(StateName, grain, state);

        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State.Spent);
        Assert.NotEqual(writtenETag, state.ETag);
        Assert.Equal(ClearKeepsTheRow, state.ETag is not null);
        var afterClear = await ReadAsync(grain);
        Assert.False(afterClear.RecordExists);
        Assert.Equal(0, afterClear.State.Spent);
        Assert.Equal(state.ETag, afterClear.ETag);

        state.State = new LedgerState { Spent = 8, Note = "after clear" };
        await storage.WriteStateAsync(StateName, grain, state);

        var read = await ReadAsync(grain);
        Assert.True(read.RecordExists);
        Assert.Equal(8, read.State.Spent);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task WriteStateAsync_WithoutETagAfterAClear_ThrowsWhereTheClearKeptTheRow()
    {
        // A writer that read before the state was first written holds no ETag: a kept row (its version moved on) keeps
        // it out; where the clear deleted the row, the state is as if never written and the write is a first write.
        var grain = NewGrain();
        var state = Ledger(1, "first");
        await storage.WriteStateAsync(StateName, grain, state);
        await storage.ClearStateAsync(StateName, grain, state);
        var late = Ledger(2, "late first write");

        if (ClearKeepsTheRow)
        {
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, late));
            Assert.False((await ReadAsync(grain)).RecordExists);
        }
        else
        {
            await storage.WriteStateAsync(StateName, grain, late);
            Assert.Equal(2, (await ReadAsync(grain)).State.Spent);
        }
    }

    [Fact]
    public async Task ClearStateAsync_StaleETag_ThrowsAndKeepsTheStoredState()
    {
        var grain = NewGrain();
        await storage.WriteStateAsync(StateName, grain, Ledger(1, "first"));
        var early = await ReadAsync(grain);
        var late = await ReadAsync(grain);
        late.State.Spent = 2;
        await storage.WriteStateAsync(StateName, grain, late);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grain, early));

        var read = await ReadAsync(grain);
        Assert.True(read.RecordExists);
        Assert.Equal(2, read.State.Spent);
        Assert.Equal(late.ETag, read.ETag);
    }

    [Fact]
    public async Task ClearStateAsync_NeverWritten_ChangesNothing()
    {
        var grain = NewGrain();
        var state = new LedgerGrainState { State = new LedgerState { Spent = 4 } };

        await storage.ClearStateAsync(StateName, grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State.Spent);
        var read = await ReadAsync(grain);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task WriteStateAsync_OtherKeysAndStateNames_DoNotCollide()
    {
        var id = Guid.NewGuid();
        var number = Random.Shared.NextInt64(1, long.MaxValue);
        GrainId[] grains =
        [
            GrainId.Create(LedgerType, $"vk_{id:N}"),
            GrainId.Create(LedgerType, $"vk_{id:N}_2"),
            GrainId.Create(GrainType.Create(LedgerType), GrainIdKeyExtensions.CreateGuidKey(id)),
            GrainId.Create(GrainType.Create(LedgerType), GrainIdKeyExtensions.CreateGuidKey(id, "eu")),
            GrainId.Create(GrainType.Create(LedgerType), GrainIdKeyExtensions.CreateIntegerKey(number)),
            GrainId.Create(GrainType.Create(LedgerType), GrainIdKeyExtensions.CreateIntegerKey(number, "eu")),
            GrainId.Create(GrainType.Create(LedgerType), GrainIdKeyExtensions.CreateIntegerKey(number, "us")),
        ];
        string[] stateNames = ["ledger", "leases"];

        var spent = 0;
        foreach (var grain in grains)
        {
            foreach (var stateName in stateNames)
            {
                await storage.WriteStateAsync(stateName, grain, Ledger(++spent, $"{grain}/{stateName}"));
            }
        }

        spent = 0;
        foreach (var grain in grains)
        {
            foreach (var stateName in stateNames)
            {
                var read = new LedgerGrainState();
                await storage.ReadStateAsync(stateName, grain, read);
                Assert.Equal(++spent, read.State.Spent);
                Assert.Equal($"{grain}/{stateName}", read.State.Note);
            }
        }
    }

    [Fact]
    public async Task WriteStateAsync_TwoGrainTypesWithOneKeyAndStateName_ShareStateOnlyWhereTheProviderIgnoresTheType()
    {
        var key = $"vk_{Guid.NewGuid():N}";
        var ledger = GrainId.Create("ledger", key);
        var health = GrainId.Create("health", key);
        await storage.WriteStateAsync(StateName, ledger, Ledger(1, "ledger"));

        var healthRead = new LedgerGrainState();
        await storage.ReadStateAsync(StateName, health, healthRead);

        if (KeysStateByGrainType)
        {
            Assert.False(healthRead.RecordExists);
            await storage.WriteStateAsync(StateName, health, Ledger(2, "health"));
            Assert.Equal(1, (await ReadAsync(ledger)).State.Spent);
        }
        else
        {
            Assert.True(healthRead.RecordExists);
            Assert.Equal("ledger", healthRead.State.Note);
        }
    }

    [Fact]
    public async Task WriteStateAsync_LargeState_RoundTrips()
    {
        var grain = NewGrain();
        var random = new Random(20261207);
        var note = string.Create(2 * 1024 * 1024, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)('a' + r.Next(26));
            }
        });
        var grants = Enumerable.Range(0, 20_000).Select(_ => random.NextInt64()).ToList();
        var state = new LedgerGrainState { State = new LedgerState { Spent = 42, Note = note, Grants = grants } };

        await storage.WriteStateAsync(StateName, grain, state);
        state.State.Spent = 43;
        await storage.WriteStateAsync(StateName, grain, state);

        var read = await ReadAsync(grain);
        Assert.Equal(43, read.State.Spent);
        Assert.Equal(note, read.State.Note);
        Assert.Equal(grants, read.State.Grants);
        Assert.Equal(state.ETag, read.ETag);
    }

    private static GrainId NewGrain() => GrainId.Create(LedgerType, $"vk_{Guid.NewGuid():N}");

    private static LedgerGrainState Ledger(long spent, string note) => new() { State = new LedgerState { Spent = spent, Note = note } };

    private async Task<LedgerGrainState> ReadAsync(GrainId grain)
    {
        var read = new LedgerGrainState();
        await storage.ReadStateAsync(StateName, grain, read);
        return read;
    }
}
