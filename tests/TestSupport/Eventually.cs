namespace Switchyard.Testing;

/// <summary>
/// Waits for a condition that something else (another process, a background loop, a cluster) makes true: polled with a
/// deadline, never a sleep that hopes. The deadline is read from a <see cref="TimeProvider"/> (the system clock unless
/// given); the pauses between polls are real time, so the polled work keeps running.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> every 10 ms; throws <see cref="TimeoutException"/> once <paramref name="timeoutMs"/> have passed.</summary>
    public static async Task Until(Func<bool> condition, int timeoutMs = 10_000, TimeProvider? time = null)
    {
        if (!await TryUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromMilliseconds(timeoutMs), TimeSpan.FromMilliseconds(10), time))
        {
            throw new TimeoutException("the condition did not become true in time");
        }
    }

    /// <summary>Polls <paramref name="condition"/> every <paramref name="pause"/> until it holds (true) or <paramref name="timeout"/> has passed (false).</summary>
    public static async Task<bool> TryUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan pause, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        while (!await condition())
        {
            if (time.GetElapsedTime(started) > timeout)
            {
                return false;
            }

            await Task.Delay(pause);
        }

        return true;
    }

    /// <summary>
    /// Calls until a call returns instead of throwing, every <paramref name="pause"/>; once <paramref name="timeout"/>
    /// has passed, a call's exception is the caller's.
    /// </summary>
    public static async Task<T> Succeeds<T>(Func<Task<T>> call, TimeSpan timeout, TimeSpan pause, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (time.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(pause);
            }
        }
    }
}
