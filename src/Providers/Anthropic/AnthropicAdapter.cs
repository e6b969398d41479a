using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic's Messages API (<c>POST {base}/messages</c>, <c>x-api-key</c>, <c>anthropic-version</c>). OpenAI requests are
/// translated; a client that already speaks Anthropic (<c>/v1/messages</c>) has its body passed through. Answers, stream
/// events and errors come back in OpenAI's shape either way, which is where the gateway reads usage and finish reasons.
/// </summary>
internal sealed class AnthropicAdapter(TimeProvider time) : IProviderAdapter
{
    private static readonly Uri DefaultBaseUrl = new("https://api.anthropic.com/v1");

    public AnthropicAdapter()
        : this(TimeProvider.System)
    {
    }

    public WireFormat Format => WireFormat.Anthropic;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var baseUrl = call.BaseUrl ?? DefaultBaseUrl;
        switch (call.Operation)
        {
            case ApiOperation.ChatCompletions:
                var body = call.BodyFormat == WireFormat.Anthropic
                    ? JsonBodyRewriter.SetFields(call.Body, call.BodyFields)
                    : AnthropicRequestTranslator.FromOpenAi(call.OpenAiBody(), countTokens: false);
                return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(baseUrl, "/messages"), Headers(call), body);
            case ApiOperation.Models:
                // Anthropic pages its list 20 at a time by default; 1000 is its maximum and more than it has models.
                return new ProviderHttpRequest(HttpMethod.Get, OpenAiAdapter.Combine(baseUrl, "/models?limit=1000"), Headers(call), ReadOnlyMemory<byte>.Empty);
            default:
                throw new ProviderRequestException($"Anthropic does not serve {call.Operation.Describe()}; use a provider that does.");
        }
    }

    /// <summary>
    /// <c>POST {base}/messages/count_tokens</c> for the call, for the gateway's <c>/v1/messages/count_tokens</c>. An Anthropic
    /// body passes through (with <see cref="ProviderCall.BodyFields"/> applied); an OpenAI body is translated, keeping only
    /// what count_tokens takes (model, system, messages, tools, tool_choice). Anthropic answers <c>{"input_tokens":N}</c>.
    /// </summary>
    /// <exception cref="ProviderRequestException">the OpenAI body cannot be expressed for Anthropic.</exception>
    public ProviderHttpRequest CreateCountTokensRequest(ProviderCall call)
    {
        var body = call.BodyFormat == WireFormat.Anthropic
            ? JsonBodyRewriter.SetFields(call.Body, call.BodyFields)
            : AnthropicRequestTranslator.FromOpenAi(call.OpenAiBody(), countTokens: true);
        var headers = Headers(call with { Stream = false });
        return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(call.BaseUrl ?? DefaultBaseUrl, "/messages/count_tokens"), headers, body);
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => call.Operation switch
    {
        ApiOperation.Models => AnthropicResponseTranslator.Models(body),
        _ => AnthropicResponseTranslator.Message(body, time.GetUtcNow().ToUnixTimeSeconds(), IsJsonMode(call)),
    };

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => AnthropicErrors.ToOpenAi(status, body);

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new AnthropicStreamTranslator(time.GetUtcNow().ToUnixTimeSeconds(), IsJsonMode(call));

    /// <summary>Whether the answer's forced tool call is really a JSON-mode answer (see <see cref="AnthropicRequestTranslator"/>).</summary>
    private static bool IsJsonMode(ProviderCall call)
    {
        if (call.BodyFormat == WireFormat.Anthropic)
        {
            return false;
        }

        var body = call.OpenAiBody();
        return body.Span.IndexOf("\"response_format\""u8) >= 0 && AnthropicRequestTranslator.IsJsonMode(body);
    }

    private static List<KeyValuePair<string, string>> Headers(ProviderCall call)
    {
        var version = Option(call, "anthropic_version");
        var beta = Option(call, "anthropic_beta");
        var credential = call.Credential is { Length: > 0 } key ? key : null;
        var headers = new List<KeyValuePair<string, string>>(call.ForwardedHeaders.Count + 4);
        foreach (var header in call.ForwardedHeaders)
        {
            // What the gateway sets itself wins over forwarded copies: a header sent twice would be joined into one bad value.
            var replaced = (version is not null && header.Key.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase))
                || (beta is not null && header.Key.Equals("anthropic-beta", StringComparison.OrdinalIgnoreCase))
                || (credential is not null && header.Key.Equals("x-api-key", StringComparison.OrdinalIgnoreCase));
            if (!replaced)
            {
                headers.Add(header);
            }
        }

        if (credential is not null)
        {
            headers.Add(new("x-api-key", credential));
        }

        if (version is not null || !headers.Exists(h => h.Key.Equals("anthropic-version", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("anthropic-version", version ?? AnthropicWire.DefaultVersion));
        }

        if (beta is not null)
        {
            headers.Add(new("anthropic-beta", beta));
        }

        if (call.Stream)
        {
            headers.Add(new("Accept", "text/event-stream"));
        }

        return headers;
    }

    private static string? Option(ProviderCall call, string name) =>
        call.ProviderOptions.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}
