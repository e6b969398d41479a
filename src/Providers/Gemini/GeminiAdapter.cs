using System.Text.Json;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Google's Gemini API (<c>generativelanguage.googleapis.com/v1beta</c>): chat through
/// <c>models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>, embeddings through
/// <c>:batchEmbedContents</c>. The key goes in <c>x-goog-api-key</c>. See <see cref="GeminiChatRequest"/>,
/// <see cref="GeminiChatResponse"/> and <see cref="GeminiStreamTranslator"/> for what is translated and how.
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
                    : GeminiChatRequest.Create(call.OpenAiBody());
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
        _ => GeminiChatResponse.Translate(body, BareModel(call.Model), _time.GetUtcNow().ToUnixTimeSeconds(), _ids),
    };

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default)
    {
        string? message = null;
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;

            // streamGenerateContent without alt=sse answers errors as a one-element array.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                message = error.String("message");
                code = error.String("status");
            }
        }
        catch (JsonException)
        {
        }

        message ??= body.Length > 0 && body.Length <= 1024 ? $"{Name} answered {status}: {System.Text.Encoding.UTF8.GetString(body)}" : $"{Name} answered {status}";
        return OpenAiDialect.ErrorBody(ErrorType(code, status), message, code);
    }

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new GeminiStreamTranslator(BareModel(call.Model), _time.GetUtcNow().ToUnixTimeSeconds(), _ids);

    /// <summary>OpenAI's error type for a Google RPC status (<c>INVALID_ARGUMENT</c>, …), or for the HTTP status when there is none.</summary>
    internal static string ErrorType(string? rpcStatus, int httpStatus) => rpcStatus switch
    {
        "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" => "invalid_request_error",
        "UNAUTHENTICATED" => "authentication_error",
        "PERMISSION_DENIED" => "permission_error",
        "NOT_FOUND" => "not_found_error",
        "RESOURCE_EXHAUSTED" => "rate_limit_error",
        "UNAVAILABLE" => "overloaded_error",
        "INTERNAL" or "UNKNOWN" or "DEADLINE_EXCEEDED" or "ABORTED" or "DATA_LOSS" => "api_error",
        _ => httpStatus switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            503 => "overloaded_error",
            >= 500 => "api_error",
            _ => "invalid_request_error",
        },
    };

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
