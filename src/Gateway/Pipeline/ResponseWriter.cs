using System.Globalization;
using Switchyard.Gateway.Execution;
using Switchyard.Gateway.Json;
using Switchyard.Gateway.Streaming;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Pipeline;

/// <summary>Writes a route's answer to the client: the provider's JSON as it came, a gateway-detected failure in OpenAI's error shape, or a relayed stream.</summary>
internal sealed class ResponseWriter
{
    /// <summary>Upstream headers that describe the upstream connection or that the gateway sets itself.</summary>
    private static readonly HashSet<string> NotRelayed = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "proxy-authenticate", "te", "trailer",
        "content-length", "content-encoding", "set-cookie", "server", "date", "alt-svc", "strict-transport-security", "via",
    };

    private readonly SseRelay _relay;
    private readonly TimeProvider _time;

    public ResponseWriter(SseRelay relay, TimeProvider time)
    {
        _relay = relay;
        _time = time;
    }

    public async Task WriteAsync(GatewayCall call, RouteResult result)
    {
        var response = call.Response;
        var outcome = result.Outcome;
        call.StatusCode = outcome.StatusCode;
        response.StatusCode = outcome.StatusCode;
        if (outcome.Response is { } upstream)
        {
            RelayHeaders(response, upstream);
        }

        response.SetHeader(PortkeyHeaders.Overhead, call.Timings.Overhead(_time).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));

        if (outcome.Events is not null)
        {
            response.SetHeader("cache-control", "no-cache");
            response.SetHeader("x-accel-buffering", "no");
            await _relay.RelayAsync(call, outcome, result.DropUsageChunk);
            return;
        }

        var body = outcome.Kind switch
        {
            OutcomeKind.Response => outcome.Body!,
            OutcomeKind.Timeout => GatewayErrors.OpenAiShape(outcome.Problem!, "timeout_error", null),
            OutcomeKind.Network => GatewayErrors.OpenAiShape(outcome.Problem!, "upstream_error", "upstream_unreachable"),
            _ => GatewayErrors.OpenAiShape(outcome.Problem!, "upstream_error", "upstream_invalid_response"),
        };
        if (outcome.Kind != OutcomeKind.Response)
        {
            response.SetHeader("content-type", "application/json");
        }
        else if (outcome.IsSuccess)
        {
            call.Usage = UsageReader.Read(body);
        }

        response.SetHeader("content-length", body.Length.ToString(CultureInfo.InvariantCulture));
        await response.WriteAsync(body, call.Aborted);
    }

    private static void RelayHeaders(IClientResponse response, HttpResponseMessage upstream)
    {
        foreach (var (name, values) in upstream.Headers)
        {
            if (!NotRelayed.Contains(name) && !name.StartsWith("x-portkey-", StringComparison.OrdinalIgnoreCase))
            {
                response.SetHeader(name, string.Join(", ", values));
            }
        }

        foreach (var (name, values) in upstream.Content.Headers)
        {
            if (!NotRelayed.Contains(name))
            {
                response.SetHeader(name, string.Join(", ", values));
            }
        }
    }
}
