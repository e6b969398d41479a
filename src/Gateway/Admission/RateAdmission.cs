using Switchyard.Gateway.Pipeline;
using static Switchyard.Gateway.Admission.QuotaClaims;

namespace Switchyard.Gateway.Admission;

/// <summary>
/// Admits a call against the rate limits and concurrency caps of its workspace and API key (a 429 when one is full),
/// before routing. The hold is settled with the call's others once the answer is written.
/// </summary>
internal sealed class RateAdmission(QuotaHolds holds, TimeProvider time)
{
    public async ValueTask AdmitAsync(GatewayCall call)
    {
        if (call.Workspace is not { } workspace)
        {
            return;
        }

        var key = call.ApiKey;
        if (!HasRateLimits(workspace.Limits) && (key is null || !HasRateLimits(key.Limits)))
        {
            return; // the common case: nothing to count, no body to measure
        }

        var now = time.GetUtcNow();
        var claims = new List<HeldClaim>();
        AddRateClaims(claims, Governed(workspace), workspace.Limits, call, now);
        if (key is not null)
        {
            AddRateClaims(claims, Governed(key), key.Limits, call, now);
        }

        call.Holds.Add(await holds.HoldAsync(claims, price: null, call, now));
    }
}
