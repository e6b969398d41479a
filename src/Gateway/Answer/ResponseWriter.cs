using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Gateway.Answer;

/// <summary>
/// Writes a route's answer to the client. When the client speaks the provider's format the provider's bytes go out
/// as they came; otherwise the adapter translates them into the OpenAI lingua franca and the client's dialect renders
/// that. Gateway-detected failures (timeouts, unreachable providers) are written in the dialect's error shape.
/// </summary>
internal sealed class ResponseWriter
{
    /// <summary>Upstream headers that describe the upstream connection or body encoding, or that the gateway sets itself.</summary>
    private static readonly FrozenSet<string> NotRelayed = new[]
    {
        "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "proxy-authenticate", "te", "trailer",
        GatewayHeaders.ContentLength, "content-encoding", "set-cookie", "server", "date", "alt-svc", "strict-transport-security", "via",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly StreamRelay _relay;
    private readonly CachedAnswerWriter _cached;
    private readonly ResponseCaching _caching;
    private readonly TimeProvider _time;

    public ResponseWriter(StreamRelay relay, CachedAnswerWriter cached, ResponseCaching caching, TimeProvider time)
    {
        _relay = relay;
        _cached = cached;
        _caching = caching;
        _time = time;
    }

    public async Task WriteAsync(GatewayCall call, RouteResult result)
    {
        var response = call.Response;
        var outcome = result.Outcome;
        var request = result.Request;
        var native = call.Dialect.NativeFormat == request.Adapter.Format;
        call.StatusCode = outcome.StatusCode;
        response.StatusCode = outcome.StatusCode;
        if (outcome.Cached is { } hit)
        {
            response.SetHeader(GatewayHeaders.Overhead, call.Timings.Overhead(_time).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));
            await _cached.WriteAsync(call, request, hit);
            return;
        }

        if (outcome.Response is { } upstream)
        {
            RelayHeaders(response, upstream, keepContentType: native);
        }

        response.SetHeader(GatewayHeaders.Overhead, call.Timings.Overhead(_time).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));

        if (outcome.Events is not null)
        {
            response.SetHeader(GatewayHeaders.ContentType, "text/event-stream; charset=utf-8");
            response.SetHeader(GatewayHeaders.CacheControl, "no-cache");
            response.SetHeader(GatewayHeaders.AccelBuffering, "no");
            await _relay.RelayAsync(call, request, outcome, request.DropUsageChunk);
            return;
        }

        byte[] body;
        switch (outcome.Kind)
        {
            case OutcomeKind.Response when native && request.Adapter.Format == WireFormat.OpenAi:
                body = outcome.Body!;
                if (outcome.IsSuccess)
                {
                    call.Usage = UsageReader.Read(body);
                    _caching.KeepJson(call, outcome, body);
                }
                else
                {
                    ErrorAnswer.NoteProviderError(call, outcome.StatusCode, body);
                }

                break;
            case OutcomeKind.Response when outcome.IsSuccess:
                if (!TryTranslate(request, outcome, out var openAi))
                {
                    var problem = $"{request.ProviderSlug} answered {outcome.StatusCode} with a body that is not what it documents";
                    body = ErrorAnswer.ForFailedAttempt(call.Dialect, OutcomeKind.InvalidResponse, problem);
                    ErrorAnswer.NoteFailedAttempt(call, OutcomeKind.InvalidResponse, problem);
                    response.StatusCode = call.StatusCode = 502;
                    break;
                }

                call.Usage = UsageReader.Read(openAi);
                _caching.KeepJson(call, outcome, openAi);
                body = native ? outcome.Body! : call.Dialect.ResponseFromOpenAi(openAi);
                break;
            case OutcomeKind.Response:
                body = native ? outcome.Body! : ErrorAnswer.ForProviderError(call.Dialect, outcome.StatusCode, request.Adapter.TranslateError(request.Call, outcome.StatusCode, outcome.Body!, HeadersOf(outcome)));
                ErrorAnswer.NoteProviderError(call, outcome.StatusCode, body);
                break;
            default:
                if (outcome.Kind == OutcomeKind.CircuitOpen && outcome.RetryAfter is { } closesIn)
                {
                    response.SetHeader(GatewayHeaders.RetryAfter, Math.Max(1, (long)Math.Ceiling(closesIn.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
                }

                body = ErrorAnswer.ForFailedAttempt(call.Dialect, outcome.Kind, outcome.Problem!);
                ErrorAnswer.NoteFailedAttempt(call, outcome.Kind, outcome.Problem!);
                break;
        }

        if (call.KeepsAnswer)
        {
            call.AnswerBody = body;
        }

        if (!native || outcome.Kind != OutcomeKind.Response)
        {
            response.SetHeader(GatewayHeaders.ContentType, "application/json");
        }

        response.SetHeader(GatewayHeaders.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
        call.FirstByteSent();
        await response.WriteAsync(body, call.Aborted);
    }

    private static bool TryTranslate(UpstreamRequest request, UpstreamOutcome outcome, out byte[] openAi)
    {
        try
        {
            openAi = request.Adapter.TranslateResponse(request.Call, outcome.Body!, HeadersOf(outcome));
            return true;
        }
        catch (Exception ex) when (ex is StreamProtocolException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            openAi = [];
            return false;
        }
    }

    /// <summary>The provider's headers, read by the adapter only for what it looks up.</summary>
    private static ProviderResponseHeaders HeadersOf(UpstreamOutcome outcome) =>
        outcome.Response is { } response ? ProviderResponseHeaders.Of(response) : default;

    /// <summary>
    /// The provider's headers as it sent them (the non-validated view: no parsing into typed values and back), less
    /// the ones about its connection and body encoding.
    /// </summary>
    private static void RelayHeaders(IClientResponse response, HttpResponseMessage upstream, bool keepContentType)
    {
        foreach (var (name, values) in upstream.Headers.NonValidated)
        {
            if (!NotRelayed.Contains(name) && !name.StartsWith(GatewayHeaders.PortkeyPrefix, StringComparison.OrdinalIgnoreCase))
            {
                response.SetHeader(name, values.ToString());
            }
        }

        foreach (var (name, values) in upstream.Content.Headers.NonValidated)
        {
            if (!NotRelayed.Contains(name) && (keepContentType || !name.Equals(GatewayHeaders.ContentType, StringComparison.OrdinalIgnoreCase)))
            {
                response.SetHeader(name, values.ToString());
            }
        }
    }
}
