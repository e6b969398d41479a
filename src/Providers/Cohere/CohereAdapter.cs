using System.Text.Json;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere's v2 API (<c>api.cohere.com/v2</c>, Bearer key): chat through <c>/chat</c> (streamed as server-sent events
/// with <c>"stream": true</c>) and embeddings through <c>/embed</c>. See <see cref="CohereChatRequest"/>,
/// <see cref="CohereChatResponse"/> and <see cref="CohereStreamTranslator"/> for what is translated and how.
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
                    : CohereChatRequest.Create(call.OpenAiBody(), model, call.Stream);
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
        _ => CohereChatResponse.Translate(body, Model(call), _time.GetUtcNow().ToUnixTimeSeconds(), _ids),
    };

    /// <summary>Cohere's errors are <c>{"id": …, "message": …}</c>; the type follows the HTTP status, as Cohere's own docs classify them.</summary>
    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default)
    {
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            message = document.RootElement.String("message") ?? document.RootElement.String("error");
        }
        catch (JsonException)
        {
        }

        message ??= body.Length > 0 && body.Length <= 1024 ? $"{Name} answered {status}: {System.Text.Encoding.UTF8.GetString(body)}" : $"{Name} answered {status}";
        return OpenAiDialect.ErrorBody(ErrorType(status), message, code: null);
    }

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new CohereStreamTranslator(Model(call), _time.GetUtcNow().ToUnixTimeSeconds(), _ids);

    /// <summary>498 is Cohere's invalid-token status and 499 a request cancelled upstream.</summary>
    internal static string ErrorType(int status) => status switch
    {
        401 or 498 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 => "overloaded_error",
        >= 500 or 499 => "api_error",
        _ => "invalid_request_error",
    };

    private static string Model(ProviderCall call) =>
        string.IsNullOrEmpty(call.Model) ? throw new ProviderRequestException("'model' is required for Cohere.") : call.Model;
}
