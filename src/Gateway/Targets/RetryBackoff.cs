namespace Switchyard.Gateway.Targets;

/// <summary>
/// Exponential back-off with "equal jitter": half the exponential step fixed, half random, capped.
/// Portkey waits exactly 1, 2, 4, 8, 16 s, so clients that failed together retry together; this spreads them.
/// </summary>
internal static class RetryBackoff
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random01)
    {
        var exponent = Math.Min(attempt, 30);
        var step = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((step / 2) + (random01 * step / 2));
    }
}
