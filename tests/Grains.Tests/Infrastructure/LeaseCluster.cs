using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Switchyard.State.Orleans.Quotas;

namespace Switchyard.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos and a client for front-door tests: every call the client makes to a grain passes <see cref="Faults"/>, which
/// can refuse calls (the grain unreachable) or let them run and then lose their replies.
/// </summary>
public sealed class LeaseCluster : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    public CallFaults Faults { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.AddSingleton<TimeProvider>(Time);

            // Advancing the fake clock must not time out calls in flight or declare silos dead.
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        builder.ConfigureClient(client => client.Services.AddSingleton<IOutgoingGrainCallFilter>(Faults));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>A front door's bank on this cluster, on the real clock (its checkpoints run on their own; tests do not wait for them).</summary>
    internal LeasedQuotaBank Bank(LeaseOptions? options = null) =>
        new(Client, options ?? new LeaseOptions { CheckpointInterval = TimeSpan.FromMinutes(1), LeaseLifetime = TimeSpan.FromMinutes(5) }, TimeProvider.System, NullLogger<LeasedQuotaBank>.Instance);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Faults on the client's grain calls to <see cref="IVirtualKeyGrain"/>: refuse them all, or lose the next replies after the grain ran the call.</summary>
public sealed class CallFaults : IOutgoingGrainCallFilter
{
    private int _repliesToLose;

    /// <summary>While true, every call fails before it reaches the grain.</summary>
    public volatile bool Unreachable;

    public void LoseReplies(int count) => Volatile.Write(ref _repliesToLose, count);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IVirtualKeyGrain))
        {
            await context.Invoke();
            return;
        }

        if (Unreachable)
        {
            throw new TimeoutException("The grain is unreachable (test fault).");
        }

        await context.Invoke();
        if (Interlocked.Decrement(ref _repliesToLose) >= 0)
        {
            throw new TimeoutException("The reply was lost (test fault).");
        }
    }
}
