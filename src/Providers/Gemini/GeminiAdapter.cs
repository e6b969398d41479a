using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Google's Gemini API (<c>generativelanguage.googleapis.com/v1beta</c>): chat through
/// <c>models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>, embeddings through
/// <c>:batchEmbedContents</c>. The key goes in <c>x-goog-api-key</c>. See <see cref="GeminiRequestTranslator"/>,
/// <see cref="GeminiResponseTranslator"/> and <see cref="GeminiStreamTranslator"/> for what is translated and how.
/// </summary>
internal sealed class GeminiAdapter : IProviderAdapter
{
    /// <summary>The provider as messages name it.</summary>
    public const string Name = "Google Gemini";

    private readonly TimeProvider _time;
    private readonly Func<string> _ids;

    public GeminiAdapter()
        : this(TimeProvider.System, static () => Guid.NewGuid().ToString("N")[..24])
    {
    }

    /// <param name="time">The clock for <c>created</c> (Gemini's answers carry no timestamp).</param>
    /// <param name="ids">Fresh ids for responses without a <c>responseId</c> and for tool calls, which Gemini leaves unnamed.</param>
    internal GeminiAdapter(TimeProvider time, Func<string> ids)
    {
        _time = time;
        _ids = ids;
    }

    public WireFormat Format => WireFormat.Gemini;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var baseUrl = call.BaseUrl ?? throw new ProviderRequestException($"Provider '{call.Provider.Slug}' needs 'custom_host' (the API base, e.g. https://generativelanguage.googleapis.com/v1beta).");
        var model = ModelPath(call.Model);
        var headers = OpenAiAdapter.KeyedHeaders(call, call.Provider.Auth);

        switch (call.Operation)
        {
            case ApiOperation.ChatCompletions:
                // A client that already speaks Gemini sends its own body, with the config's fields set on it.
                var body = call.BodyFormat == WireFormat.Gemini
                    ? JsonBodyRewriter.SetFields(call.Body, call.BodyFields)
                    : GeminiRequestTranslator.Create(call.OpenAiBody());
                if (call.Stream)
                {
                    headers.Add(new("Accept", "text/event-stream"));
                    return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(baseUrl, $"/models/{model}:streamGenerateContent?alt=sse"), headers, body);
                }

                return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(baseUrl, $"/models/{model}:generateContent"), headers, body);
            case ApiOperation.Embeddings:
                return new ProviderHttpRequest(
                    HttpMethod.Post,
                    OpenAiAdapter.Combine(baseUrl, $"/models/{model}:batchEmbedContents"),
                    headers,
                    GeminiEmbeddings.CreateRequest(call.OpenAiBody(), BareModel(call.Model)));
            default:
                throw new ProviderRequestException($"Google Gemini does not serve {call.Operation.Describe()} through Switchyard.");
        }
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => call.Operation switch
    {
        ApiOperation.Embeddings => GeminiEmbeddings.TranslateResponse(body, call.OpenAiBody(), BareModel(call.Model)),
        _ => GeminiResponseTranslator.Translate(body, BareModel(call.Model), _time.GetUtcNow().ToUnixTimeSeconds(), _ids),
    };

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => GeminiErrors.ToOpenAi(status, body);

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new GeminiStreamTranslator(BareModel(call.Model), _time.GetUtcNow().ToUnixTimeSeconds(), _ids);

    /// <summary>The model name without the <c>models/</c> prefix Google's own SDKs accept.</summary>
    private static string BareModel(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            throw new ProviderRequestException("'model' is required for Google Gemini.");
        }

        return model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
    }

    /// <summary>The model as one escaped path segment: a model name must not be able to change the path it is sent to.</summary>
    private static string ModelPath(string? model) => Uri.EscapeDataString(BareModel(model));
}
