using System.Security.Cryptography;

namespace Switchyard.State.Postgres;

/// <summary>
/// This process as one replica of the cluster: <see cref="Id"/> names it in <c>switchyard.replicas</c> (heartbeated about
/// once a second by the quota bank once it is first used) and in every lease it holds. A replica whose heartbeat is older
/// than <see cref="QuotaLeaseOptions.LeaseLifetime"/> is dead to the others.
/// </summary>
public sealed class PostgresReplica
{
    internal PostgresReplica(TimeProvider time)
    {
        Host = Environment.MachineName;
        ProcessId = Environment.ProcessId;
        StartedAt = time.GetUtcNow();
        // Host and pid say where it runs; the random part keeps two bank instances in one process (tests) and a pid
        // reused after a restart apart.
        Id = $"{Host}-{ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
    }

    /// <summary><c>host-pid-random</c>, e.g. <c>switchyard-7d9f-1-3fa2c1</c>.</summary>
    public string Id { get; }

    public string Host { get; }

    public int ProcessId { get; }

    public DateTimeOffset StartedAt { get; }

    public override string ToString() => Id;
}
