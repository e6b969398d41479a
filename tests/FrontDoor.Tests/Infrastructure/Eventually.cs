namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>Polls a condition that another process makes true, with a deadline (not a sleep that hopes).</summary>
internal static class Eventually
{
    public static async Task Until(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the condition did not become true in time");
            }

            await Task.Delay(10);
        }
    }
}
