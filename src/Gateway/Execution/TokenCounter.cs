using System.Globalization;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Gateway.Execution;

/// <summary>
/// <c>/v1/messages/count_tokens</c>: asks Anthropic when the route's first target is Anthropic (one attempt, the
/// target's timeout), and otherwise answers a local <see cref="TokenEstimate"/>, marked as an estimate.
/// </summary>
internal sealed class TokenCounter(TargetRequestFactory requests, UpstreamClient client)
{
    public const string EstimateHeader = "x-switchyard-token-count";

    public async Task CountAsync(RoutePlan plan, GatewayCall call)
    {
        var (leaf, settings) = RouteExecutor.FirstLeaf(plan);
        var response = call.Response;
        call.LastUsedOptionIndex = leaf.Path;
        response.SetHeader(PortkeyHeaders.LastUsedOptionIndex, leaf.Path);
        var slug = requests.ProviderFor(leaf, settings, plan.Defaults, call);
        if (slug != "anthropic")
        {
            call.Provider = slug;
            response.SetHeader(EstimateHeader, "estimated");
            await WriteAsync(call, 200, System.Text.Encoding.UTF8.GetBytes($$"""{"input_tokens":{{TokenEstimate.InputTokens(call.Body.Utf8.Span).ToString(CultureInfo.InvariantCulture)}}}"""));
            return;
        }

        var request = requests.Create(leaf, settings, plan.Defaults, call);
        call.Provider = request.ProviderSlug;
        response.SetHeader(PortkeyHeaders.Provider, request.ProviderSlug);
        var http = ((AnthropicAdapter)request.Adapter).CreateCountTokensRequest(request.Call);
        var count = request with { Method = http.Method, Uri = http.Uri, Headers = http.Headers, Body = http.Body, Stream = false };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted);
        timeout.CancelAfter(request.Timeout);
        UpstreamOutcome outcome;
        try
        {
            outcome = await client.SendAsync(count, timeout.Token);
        }
        catch (OperationCanceledException) when (!call.Aborted.IsCancellationRequested)
        {
            outcome = UpstreamOutcome.TimedOut(request.Timeout);
        }

        await using (outcome)
        {
            var body = outcome.Kind switch
            {
                OutcomeKind.Response => outcome.Body!,
                OutcomeKind.Timeout => call.Dialect.Error(408, "timeout_error", outcome.Problem!),
                _ => call.Dialect.Error(502, "api_error", outcome.Problem!),
            };
            await WriteAsync(call, outcome.StatusCode, body);
        }
    }

    private static async Task WriteAsync(GatewayCall call, int status, byte[] body)
    {
        call.StatusCode = status;
        call.Response.StatusCode = status;
        call.Response.SetHeader("content-type", "application/json");
        call.Response.SetHeader("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
        await call.Response.WriteAsync(body, call.Aborted);
    }
}
