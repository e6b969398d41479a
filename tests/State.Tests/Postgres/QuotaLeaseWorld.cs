using System.Net;
using System.Net.Sockets;
using Dapper;
using Npgsql;
using Switchyard.State.Postgres;
using Switchyard.State.Tests.Contracts;

namespace Switchyard.State.Tests.Postgres;

/// <summary>A clock the test moves: leases, heartbeats and the janitor all read it, so expiry needs no waiting.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// Several "replicas" (each its own <see cref="PostgresStores"/>, pool and replica id) over one test database, on one
/// manual clock, with the background loop off: a test runs heartbeats, checkpoints and the janitor by <c>TickAsync</c>.
/// </summary>
internal sealed class QuotaLeaseWorld : IAsyncDisposable
{
    private readonly List<PostgresStores> _replicas = [];

    public QuotaLeaseWorld(PostgresBackend backend, QuotaLeaseOptions? options = null)
    {
        Backend = backend;
        Options = options ?? new QuotaLeaseOptions();
    }

    public PostgresBackend Backend { get; }

    public QuotaLeaseOptions Options { get; }

    public ManualClock Clock { get; } = new(StoreSamples.Now);

    public PostgresStores Open(string? connectionString = null)
    {
        var stores = new PostgresStores(NpgsqlDataSource.Create(connectionString ?? Backend.ConnectionString), Options, Clock, background: false);
        _replicas.Add(stores);
        return stores;
    }

    /// <summary>One background pass on each replica given (heartbeat, checkpoint, renew, return idle leases).</summary>
    public static async Task TickAsync(params PostgresStores[] replicas)
    {
        foreach (var replica in replicas)
        {
            await replica.Bank.TickAsync(default);
        }
    }

    public async Task<(long Used, long Reserved)> RowAsync(QuotaWindow window)
    {
        await using var connection = new NpgsqlConnection(Backend.ConnectionString);
        return await connection.QuerySingleOrDefaultAsync<(long, long)>(
            "SELECT used, reserved FROM switchyard.quota_usage WHERE entity_id = @EntityId AND meter = @Meter",
            new { window.EntityId, Meter = QuotaText.Write(window.Meter) });
    }

    public async Task<long> LeaseRowsAsync(QuotaWindow window)
    {
        await using var connection = new NpgsqlConnection(Backend.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM switchyard.quota_leases WHERE entity_id = @EntityId", new { window.EntityId });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }
    }
}

/// <summary>
/// A TCP forwarder in front of PostgreSQL that a test can cut (every connection dropped, new ones refused) and restore
/// on the same port: the database "becomes unreachable" for one replica only.
/// </summary>
internal sealed class TcpCut : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    private TcpCut(int targetPort) => _targetPort = targetPort;

    public int Port { get; private set; }

    public static TcpCut Start(string connectionString)
    {
        var cut = new TcpCut(new NpgsqlConnectionStringBuilder(connectionString).Port);
        cut.Listen(0);
        return cut;
    }

    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port, Timeout = 2 }.ConnectionString;

    public void Cut()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_gate)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore()
    {
        _stop = new CancellationTokenSource();
        Listen(Port);
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private void Listen(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var listener = _listener;
        var stop = _stop.Token;
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync(stop);
                }
                catch (Exception)
                {
                    return;
                }

                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, stop);
                }
                catch (Exception)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                lock (_gate)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                }

                _ = Pump(inbound, outbound, stop);
                _ = Pump(outbound, inbound, stop);
            }
        }, stop);
    }

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken stop)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop);
        }
        catch (Exception)
        {
            // Cut: both ends are closed below.
        }

        from.Dispose();
        to.Dispose();
    }
}
