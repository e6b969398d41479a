using System.Collections.Concurrent;

namespace Switchyard.State.Embedded;

/// <summary>
/// Runs the grain storage's statements one at a time on a thread of its own. Microsoft.Data.Sqlite does its I/O
/// synchronously (its async methods too) and every commit waits for the disk; on the thread pool, which also runs every
/// grain turn, such waits made the pool add workers under load (docs/performance.md measured it: 15 workers against 3). SQLite
/// admits one writer at a time anyway, so one thread costs no write throughput; reads are point lookups.
/// </summary>
internal sealed class SqliteGrainStorageThread : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread _thread;

    public SqliteGrainStorageThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="statement"/>; its result or exception completes the task, on the thread pool, not this thread.</summary>
    public Task<T> RunAsync<T>(Func<T> statement, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _queue.Add(() =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    done.TrySetCanceled(cancellationToken);
                    return;
                }

                try
                {
                    done.TrySetResult(statement());
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            });
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(SqliteGrainStorageThread), "The grain storage is stopped.");
        }

        return done.Task;
    }

    /// <summary>Runs what is queued already, then ends the thread.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    private void Run()
    {
        foreach (var statement in _queue.GetConsumingEnumerable())
        {
            statement();
        }
    }
}
