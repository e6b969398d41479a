namespace Switchyard.Testing;

/// <summary>
/// The real clock moved by an offset a test can push forward, so a test can start at the beginning of a rate-limit
/// window instead of hoping not to straddle one. Durations and timers are the machine's own: a whole running gateway
/// takes it as its clock, and its timers (alert retries, key-directory reloads, request timeouts) must keep firing, which a
/// <c>FakeTimeProvider</c> would hold until a test advanced it.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    /// <summary>Moves the clock forward to 100 ms past the start of the next window of <paramref name="window"/> (a minute, an hour, a day).</summary>
    public DateTimeOffset JumpToNextWindow(TimeSpan window)
    {
        var now = GetUtcNow();
        var next = new DateTimeOffset(now.Ticks - (now.Ticks % window.Ticks), TimeSpan.Zero) + window + TimeSpan.FromMilliseconds(100);
        Interlocked.Add(ref _offsetTicks, (next - now).Ticks);
        return next;
    }
}
