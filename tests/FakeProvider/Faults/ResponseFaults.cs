using System.Globalization;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Faults;

/// <summary>
/// The faults every wire format shares before a response starts: latency, then a status
/// error. The error body is the format's own, so the format passes in how to write it.
/// </summary>
internal static class ResponseFaults
{
    public const string RetryAfterMsHeader = "retry-after-ms";

    /// <summary>Returns true when a status fault answered the request, so the handler must stop.</summary>
    public static async Task<bool> TryFailAsync(
        HttpContext context,
        FakeExchange exchange,
        FaultPlan faults,
        Func<HttpContext, int, Task> writeStatusError)
    {
        if (faults.LatencyMs > 0)
        {
            // Honours the client going away, which the journal records as Aborted: tests use
            // that to prove a gateway cancels its upstream call when its own client leaves.
            await Task.Delay(TimeSpan.FromMilliseconds(faults.LatencyMs), exchange.Time, exchange.Cancellation);
        }

        if (faults.Status is not int status)
        {
            return false;
        }

        if (faults.RetryAfter is string retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (faults.RetryAfterMs is int retryAfterMs)
        {
            context.Response.Headers[RetryAfterMsHeader] = retryAfterMs.ToString(CultureInfo.InvariantCulture);
        }

        await writeStatusError(context, status);
        return true;
    }
}
