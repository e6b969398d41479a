using System.Globalization;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Targets;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Gateway.Tokens;

/// <summary>
/// <c>/v1/messages/count_tokens</c>: asks Anthropic when the route's first target is Anthropic (one attempt, the
/// target's timeout), and otherwise answers a local <see cref="TokenEstimate"/>, marked as an estimate.
/// </summary>
internal sealed class TokenCounter(TargetRequestFactory requests, UpstreamClient client)
{
    public async Task CountAsync(GatewayCall call)
    {
        var plan = call.Plan!;
        var (leaf, settings) = RouteExecutor.FirstLeaf(plan);
        var response = call.Response;
        call.LastUsedOptionIndex = leaf.Path;
        response.SetHeader(GatewayHeaders.LastUsedOptionIndex, leaf.Path);
        var slug = requests.ProviderFor(leaf, settings, plan.Defaults, call);
        if (slug != "anthropic")
        {
            call.Provider = slug;
            response.SetHeader(GatewayHeaders.TokenCount, "estimated");
            await WriteAsync(call, 200, System.Text.Encoding.UTF8.GetBytes($$"""{"input_tokens":{{TokenEstimate.InputTokens(call.Body.Utf8.Span).ToString(CultureInfo.InvariantCulture)}}}"""));
            return;
        }

        var request = requests.Create(leaf, settings, plan.Defaults, call);
        call.Provider = request.ProviderSlug;
        response.SetHeader(GatewayHeaders.Provider, request.ProviderSlug);
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
            var body = outcome.Kind == OutcomeKind.Response ? outcome.Body! : ErrorAnswer.ForFailedAttempt(call.Dialect, outcome.Kind, outcome.Problem!);
            await WriteAsync(call, outcome.StatusCode, body);
        }
    }

    private static async Task WriteAsync(GatewayCall call, int status, byte[] body)
    {
        call.StatusCode = status;
        call.Response.StatusCode = status;
        call.Response.SetHeader(GatewayHeaders.ContentType, "application/json");
        call.Response.SetHeader(GatewayHeaders.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
        await call.Response.WriteAsync(body, call.Aborted);
    }
}
