using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere's v2 API (<c>api.cohere.com/v2</c>, Bearer key): chat through <c>/chat</c> (streamed as server-sent events
/// with <c>"stream": true</c>) and embeddings through <c>/embed</c>. See <see cref="CohereRequestTranslator"/>,
/// <see cref="CohereResponseTranslator"/> and <see cref="CohereStreamTranslator"/> for what is translated and how.
/// </summary>
internal sealed class CohereAdapter : IProviderAdapter
{
    /// <summary>The provider as messages name it.</summary>
    public const string Name = "Cohere";

    private readonly TimeProvider _time;
    private readonly Func<string> _ids;

    public CohereAdapter()
        : this(TimeProvider.System, static () => Guid.NewGuid().ToString("N")[..24])
    {
    }

    /// <param name="time">The clock for <c>created</c> (Cohere's answers carry no timestamp).</param>
    /// <param name="ids">Fresh ids for answers or tool calls that come without one.</param>
    internal CohereAdapter(TimeProvider time, Func<string> ids)
    {
        _time = time;
        _ids = ids;
    }

    public WireFormat Format => WireFormat.Cohere;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var baseUrl = call.BaseUrl ?? throw new ProviderRequestException($"Provider '{call.Provider.Slug}' needs 'custom_host' (the API base, e.g. https://api.cohere.com/v2).");
        var model = Model(call);
        var headers = OpenAiAdapter.KeyedHeaders(call, call.Provider.Auth);

        switch (call.Operation)
        {
            case ApiOperation.ChatCompletions:
                if (call.Stream)
                {
                    headers.Add(new("Accept", "text/event-stream"));
                }

                // A client that already speaks Cohere sends its own body, with the config's fields set on it.
                var body = call.BodyFormat == WireFormat.Cohere
                    ? JsonBodyRewriter.SetFields(call.Body, call.BodyFields)
                    : CohereRequestTranslator.Create(call.OpenAiBody(), model, call.Stream);
                return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(baseUrl, "/chat"), headers, body);
            case ApiOperation.Embeddings:
                return new ProviderHttpRequest(HttpMethod.Post, OpenAiAdapter.Combine(baseUrl, "/embed"), headers, CohereEmbeddings.CreateRequest(call.OpenAiBody(), model));
            default:
                throw new ProviderRequestException($"Cohere does not serve {call.Operation.Describe()} through Switchyard.");
        }
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => call.Operation switch
    {
        ApiOperation.Embeddings => CohereEmbeddings.TranslateResponse(body, call.OpenAiBody(), Model(call)),
        _ => CohereResponseTranslator.Translate(body, Model(call), _time.GetUtcNow().ToUnixTimeSeconds(), _ids),
    };

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => CohereErrors.ToOpenAi(status, body);

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new CohereStreamTranslator(Model(call), _time.GetUtcNow().ToUnixTimeSeconds(), _ids);

    private static string Model(ProviderCall call) =>
        string.IsNullOrEmpty(call.Model) ? throw new ProviderRequestException("'model' is required for Cohere.") : call.Model;
}
