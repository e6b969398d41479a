using System.Text.RegularExpressions;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// AWS Bedrock: chat through the Converse API (<c>POST /model/{id}/converse</c>, <c>/converse-stream</c> for streams,
/// whose body is the binary AWS event stream) and embeddings through InvokeModel (<c>POST /model/{id}/invoke</c>).
/// Requests are signed with SigV4 when AWS keys are given, else carry a Bedrock API key as a bearer token.
/// </summary>
internal sealed partial class BedrockAdapter : IProviderAdapter
{
    public const string DefaultRegion = "us-east-1";
    public const string Service = "bedrock";

    private readonly TimeProvider _time;

    public BedrockAdapter()
        : this(TimeProvider.System)
    {
    }

    internal BedrockAdapter(TimeProvider time) => _time = time;

    public WireFormat Format => WireFormat.Bedrock;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        var model = call.Model is { Length: > 0 } m ? m : throw new ProviderRequestException("Bedrock needs a model id ('model').");
        var (action, body) = call.Operation switch
        {
            ApiOperation.ChatCompletions => (call.Stream ? "converse-stream" : "converse", Body(call, BedrockRequestTranslator.FromOpenAi)),
            ApiOperation.Embeddings => ("invoke", Body(call, openAi => BedrockEmbeddings.FromOpenAi(openAi, model))),
            _ => throw new ProviderRequestException($"Bedrock does not serve {call.Operation.Describe()} through this gateway."),
        };

        var region = Option(call, "aws_region") ?? DefaultRegion;
        if (!RegionPattern().IsMatch(region))
        {
            throw new ProviderRequestException($"'{region}' is not an AWS region (aws_region / x-portkey-aws-region), e.g. us-east-1.");
        }

        var baseUrl = call.BaseUrl?.OriginalString.TrimEnd('/') ?? $"https://bedrock-runtime.{region}.amazonaws.com";
        var uri = new Uri($"{baseUrl}/model/{Uri.EscapeDataString(model)}/{action}", UriKind.Absolute);

        var headers = new List<KeyValuePair<string, string>>(call.ForwardedHeaders.Count + 5);
        headers.AddRange(call.ForwardedHeaders);
        headers.Add(new("Accept", call.Stream && call.Operation == ApiOperation.ChatCompletions ? "application/vnd.amazon.eventstream" : "application/json"));
        headers.AddRange(Authorization(call, region, uri, body));
        return new ProviderHttpRequest(HttpMethod.Post, uri, headers, body);
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => call.Operation switch
    {
        ApiOperation.Embeddings => BedrockEmbeddings.ToOpenAi(body, call.OpenAiBody(), call.Model ?? "", BedrockEmbeddings.ReportedTokens(headers)),
        _ => BedrockResponseTranslator.ToOpenAi(body, NewId(), _time.GetUtcNow().ToUnixTimeSeconds(), call.Model ?? ""),
    };

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => BedrockErrors.ToOpenAi(status, body, headers[BedrockErrors.ErrorTypeHeader]);

    public IEventStreamReader OpenStream(Stream body) => new AwsEventStreamReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) =>
        new BedrockStreamTranslator(NewId(), _time.GetUtcNow().ToUnixTimeSeconds(), call.Model ?? "");

    private static byte[] Body(ProviderCall call, Func<ReadOnlyMemory<byte>, byte[]> translate) =>
        call.BodyFormat == WireFormat.Bedrock ? call.Body.ToArray() : translate(call.OpenAiBody());

    /// <summary>
    /// SigV4 when both AWS keys are given (with the session token of temporary credentials); otherwise the call's
    /// credential as a Bedrock API key (<c>Authorization: Bearer</c>).
    /// </summary>
    private List<KeyValuePair<string, string>> Authorization(ProviderCall call, string region, Uri uri, byte[] body)
    {
        var keyId = Option(call, "aws_access_key_id");
        var secret = Option(call, "aws_secret_access_key");
        if (keyId is not null && secret is not null)
        {
            var credentials = new AwsCredentials(keyId, secret, Option(call, "aws_session_token"));
            return AwsSigV4.Sign(credentials, region, Service, HttpMethod.Post, uri, body, _time.GetUtcNow());
        }

        if (keyId is not null || secret is not null)
        {
            throw new ProviderRequestException("Bedrock needs both aws_access_key_id and aws_secret_access_key (x-portkey-aws-access-key-id, x-portkey-aws-secret-access-key).");
        }

        if (call.Credential is { Length: > 0 } apiKey)
        {
            return [new("Authorization", "Bearer " + apiKey)];
        }

        throw new ProviderRequestException(
            "Bedrock needs AWS credentials: aws_access_key_id and aws_secret_access_key (x-portkey-aws-access-key-id, x-portkey-aws-secret-access-key), or a Bedrock API key as the bearer token.");
    }

    private static string? Option(ProviderCall call, string name) =>
        call.ProviderOptions.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    [GeneratedRegex("^[a-z0-9-]{1,32}$")]
    private static partial Regex RegionPattern();
}
