using System.Globalization;

namespace Switchyard.Gateway.Upstream;

/// <summary>Reads how long a provider asked us to wait: <c>retry-after-ms</c>, then <c>x-ms-retry-after-ms</c> (Azure), then <c>Retry-After</c> (seconds or an HTTP date).</summary>
internal static class RetryAfterHeader
{
    public static TimeSpan? Read(HttpResponseMessage response) => Read(response, TimeProvider.System);

    public static TimeSpan? Read(HttpResponseMessage response, TimeProvider time)
    {
        if (Milliseconds(response, "retry-after-ms") is { } ms)
        {
            return ms;
        }

        if (Milliseconds(response, "x-ms-retry-after-ms") is { } azureMs)
        {
            return azureMs;
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static TimeSpan? Milliseconds(HttpResponseMessage response, string header)
    {
        if (response.Headers.TryGetValues(header, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0 && ms < TimeSpan.MaxValue.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return null;
    }
}
