using Microsoft.Extensions.Logging;

namespace Switchyard.State.Orleans;

/// <summary>
/// A front door's observer as grains see it: the object reference, made once on first use and deleted at shutdown.
/// The grain side holds observers only weakly and forgets one whose watch lapses, so a reference that cannot be
/// deleted (the client already gone) costs nothing.
/// </summary>
internal sealed partial class ObserverReference<T>(IGrainFactory grains, T observer, ILogger logger)
    where T : class, IGrainObserver
{
    private readonly Lock _gate = new();
    private T? _reference;
    private bool _released;

    /// <summary>The reference to hand to grains.</summary>
    /// <exception cref="ObjectDisposedException">after <see cref="Release"/>.</exception>
    public T Get()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            return _reference ??= grains.CreateObjectReference<T>(observer);
        }
    }

    /// <summary>Deletes the reference, if one was made; later <see cref="Get"/> calls throw.</summary>
    public void Release()
    {
        T? reference;
        lock (_gate)
        {
            _released = true;
            reference = _reference;
            _reference = null;
        }

        if (reference is null)
        {
            return;
        }

        try
        {
            grains.DeleteObjectReference<T>(reference);
        }
        catch (Exception ex)
        {
            // At shutdown the client may be gone already; the grains forget the watch when it lapses.
            LogReleaseFailed(logger, typeof(T).Name, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not remove the {Observer} reference at shutdown")]
    private static partial void LogReleaseFailed(ILogger logger, string observer, Exception exception);
}
