using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Grains.Caching;
using Switchyard.Grains.Tests.Infrastructure;
using Switchyard.State;
using Switchyard.State.Orleans.Caching;

namespace Switchyard.Grains.Tests.Caching;

/// <summary>
/// A <see cref="GrainCluster"/> for the response cache's tests, shared by every class of the <see cref="CacheCollection"/>
/// (they run one after another): small limits so a few
/// answers fill a workspace, the background sweep of every silo on the fake clock, every call to an
/// <see cref="ISemanticIndexGrain"/> recorded, and a gate that can hold the client's stores.
/// </summary>
public sealed class CacheCluster : GrainCluster
{
    /// <summary>Each workspace's budget: four answers of <see cref="AnswerSize"/> fit, a fifth does not.</summary>
    public const long WorkspaceBytes = 8 * 1024;

    /// <summary>The biggest answer stored.</summary>
    public const long MaxEntryBytes = 4 * 1024;

    /// <summary>The <see cref="CachedAnswer.Size"/> of <see cref="Answer"/>'s answers.</summary>
    public const long AnswerSize = 2000;

    /// <summary>
    /// The silos' sweep interval: a day, so that only a test that advances the clock by a whole interval sets the sweep
    /// off (the others together advance it by far less).
    /// </summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromDays(1);

    private readonly ConcurrentQueue<SemanticCall> _semanticCalls = new();

    public StoreGate Gate { get; } = new();

    public DateTimeOffset Now => Time.GetUtcNow();

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.Configure<ResponseCacheOptions>(options =>
        {
            options.MaxEntryBytes = MaxEntryBytes;
            options.MaxWorkspaceBytes = WorkspaceBytes;
            options.SweepInterval = SweepInterval;
        });
        silo.Services.AddResponseCacheSweep();
        silo.AddOutgoingGrainCallFilter(RecordSemanticCallAsync);
    }

    protected override void ConfigureClient(IClientBuilder client) => client.AddOutgoingGrainCallFilter(async context =>
    {
        await Gate.PassAsync(context);
        await RecordSemanticCallAsync(context);
    });

    /// <summary>A front door's cache on the client (several stand for several front doors), on the fake clock; its first watch is answered.</summary>
    internal async Task<ClusterResponseCache> FrontDoorAsync(int storeQueueLength = 1024, long localBytes = 64 * 1024)
    {
        var options = new ResponseCacheOptions
        {
            LocalBytes = localBytes,
            MaxEntryBytes = MaxEntryBytes,
            MaxWorkspaceBytes = WorkspaceBytes,
            StoreQueueLength = storeQueueLength,
        };
        var cache = new ClusterResponseCache(Client, options, "door-" + Guid.NewGuid().ToString("N"), Time, NullLogger.Instance);
        await cache.WhenWatching;
        return cache;
    }

    /// <summary>The calls made so far to the semantic index grain of <paramref name="key"/>, in the order they were sent.</summary>
    public IReadOnlyList<SemanticCall> SemanticCallsTo(string key) => [.. _semanticCalls.Where(c => c.Key == key)];

    /// <summary>Whether the entry's row is in storage.</summary>
    public bool IsStored(string workspaceId, string hash) =>
        Storage.Peek("cache-entry", Entry(workspaceId, hash).GetGrainId()) is not null;

    public ICacheEntryGrain Entry(string workspaceId, string hash) => Client.GetGrain<ICacheEntryGrain>(CacheEntryKey.Of(workspaceId, hash));

    public ICacheWorkspaceGrain Workspace(string workspaceId) => Client.GetGrain<ICacheWorkspaceGrain>(workspaceId);

    /// <summary>
    /// An answer of <see cref="AnswerSize"/> bytes created now (plus <paramref name="age"/>), living for
    /// <paramref name="lifetime"/> (default an hour).
    /// </summary>
    public CachedAnswer Answer(
        string workspaceId,
        string hash,
        string @namespace = "",
        string model = "gpt-4o",
        TimeSpan? lifetime = null,
        TimeSpan age = default,
        string? partition = null,
        string text = "")
    {
        var body = new byte[AnswerSize - 256];
        System.Text.Encoding.UTF8.GetBytes(text.Length > 0 ? text : hash, body);
        var created = Now + age;
        return new CachedAnswer(workspaceId, hash, @namespace, "chat/completions", "openai", model, CachedAnswerShape.Json, body, created,
            created + (lifetime ?? TimeSpan.FromHours(1)), partition);
    }

    /// <summary>Stores an answer the way a front door's writer does: into its entry grain, then into its workspace's index.</summary>
    public async Task StoreAsync(CachedAnswer answer)
    {
        Assert.True(await Entry(answer.WorkspaceId, answer.Hash).PutAsync(answer));
        await Workspace(answer.WorkspaceId).RegisterAsync([CacheIndexEntry.Of(answer)]);
    }

    public static string NewWorkspace() => "ws-" + Guid.NewGuid().ToString("N");

    private Task RecordSemanticCallAsync(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(ISemanticIndexGrain) && context.TargetId is { } target)
        {
            var argument = context.Request.GetArgumentCount() > 0 ? context.Request.GetArgument(0) : null;
            _semanticCalls.Enqueue(new SemanticCall(target.Key.ToString()!, context.MethodName, argument));
        }

        return context.Invoke();
    }
}

[CollectionDefinition(Name)]
public sealed class CacheCollection : ICollectionFixture<CacheCluster>
{
    public const string Name = "Response cache cluster";
}

/// <summary>One call to a semantic index grain: its key, method and first argument.</summary>
public sealed record SemanticCall(string Key, string Method, object? Argument);

/// <summary>Holds the client's calls to <see cref="ICacheEntryGrain.PutAsync"/> while closed, so a front door's store queue fills.</summary>
public sealed class StoreGate
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _hold;
    private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a store reached the closed gate.</summary>
    public Task StoreHeld
    {
        get
        {
            lock (_gate)
            {
                return _entered.Task;
            }
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Open()
    {
        lock (_gate)
        {
            _hold?.TrySetResult();
            _hold = null;
        }
    }

    internal async Task PassAsync(IOutgoingGrainCallContext context)
    {
        Task? hold = null;
        if (context.InterfaceMethod?.DeclaringType == typeof(ICacheEntryGrain) && context.MethodName == nameof(ICacheEntryGrain.PutAsync))
        {
            lock (_gate)
            {
                if (_hold is { } closed)
                {
                    _entered.TrySetResult();
                    hold = closed.Task;
                }
            }
        }

        if (hold is not null)
        {
            await hold;
        }
    }
}
