using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Switchyard.State;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos and a client in this process, grain state in memory and one fake clock every grain reads (as
/// <see cref="GrainCluster"/>), whose client also logs every call it makes to an <see cref="IProviderHealthGrain"/>:
/// front doors' tests count their grain calls with it.
/// </summary>
public sealed class ProviderHealthCluster : IAsyncLifetime
{
    private readonly ConcurrentQueue<ProviderHealthCall> _calls = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    /// <summary>The calls the client made to the circuit grain of <paramref name="targetKey"/>, in the order they were sent.</summary>
    public IReadOnlyList<ProviderHealthCall> CallsTo(string targetKey) => _calls.Where(c => c.TargetKey == targetKey).ToArray();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.AddSingleton<TimeProvider>(Time);

            // Advancing the fake clock by minutes must not time out calls in flight, declare silos dead or collect activations.
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        builder.ConfigureClient(client => client.AddOutgoingGrainCallFilter(async context =>
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IProviderHealthGrain) && context.TargetId is { } target)
            {
                var argument = context.Request.GetArgumentCount() > 0 ? context.Request.GetArgument(0) : null;
                _calls.Enqueue(new ProviderHealthCall(target.Key.ToString(), context.MethodName, argument));
            }

            await context.Invoke();
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>One call to a circuit grain: its method and first argument.</summary>
public sealed record ProviderHealthCall(string TargetKey, string Method, object? Argument);

/// <summary>A watcher that keeps every view pushed to it, and lets a test wait for a number of them.</summary>
public sealed class CircuitRecorder : ICircuitWatcher
{
    private readonly List<CircuitView> _views = [];
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public Task CircuitChanged(CircuitView view)
    {
        lock (_gate)
        {
            _views.Add(view);
            foreach (var (count, reached) in _waiters)
            {
                if (_views.Count >= count)
                {
                    reached.TrySetResult();
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The views received once there are at least <paramref name="count"/> (failing after 10 s of real time).</summary>
    public async Task<IReadOnlyList<CircuitView>> ReceivedAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_views.Count >= count)
            {
                return _views.ToArray();
            }

            _waiters.Add((count, reached));
        }

        await reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lock (_gate)
        {
            return _views.ToArray();
        }
    }
}

/// <summary>Helpers for circuit tests.</summary>
internal static class Circuits
{
    public static string NewKey() => $"openai https://api.test/{Guid.NewGuid():N} key:0011223344556677";

    public static CircuitView ClosedView(string key, long version) => new(key, CircuitState.Closed, null, null, null, version);

    public static OutcomeBatch Batch(string policy, int successes, int failures, int minimumThroughput = 3, double failureRatio = 0.5, int samplingSeconds = 10, int breakSeconds = 30) =>
        new(policy, successes, failures, failureRatio, minimumThroughput, TimeSpan.FromSeconds(samplingSeconds), TimeSpan.FromSeconds(breakSeconds));
}
