using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Providers.Tests.Bedrock;

public sealed class BedrockAdapterTests
{
    private const string Chat = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";

    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Keys = new()
    {
        ["aws_access_key_id"] = "AKIDEXAMPLE",
        ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    };

    private static BedrockAdapter Adapter() => new(new FakeTimeProvider(Now));

    [Fact]
    public void CreateRequest_Chat_PostsToConverseInTheRegionWithAnEscapedModel()
    {
        var options = new Dictionary<string, string>(Keys) { ["aws_region"] = "eu-west-1" };
        var call = ProviderCalls.Create("bedrock", Chat, model: "anthropic.claude-3-5-sonnet-20240620-v1:0", options: options);

        var request = Adapter().CreateRequest(call);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", request.Uri.AbsoluteUri);
        Assert.Equal("""{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""", request.Text());
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Equal("20260102T030405Z", request.Header("X-Amz-Date"));
        var expected = AwsSigV4.Sign(
            new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null), "eu-west-1", "bedrock", HttpMethod.Post, request.Uri, request.Body.Span, Now);
        Assert.Equal(expected.Single(h => h.Key == "Authorization").Value, request.Header("Authorization"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=", request.Header("Authorization"));
    }

    [Fact]
    public void CreateRequest_StreamWithCustomHostAndSessionToken_PostsToConverseStream()
    {
        var options = new Dictionary<string, string>(Keys) { ["aws_session_token"] = "token" };
        var call = ProviderCalls.Create("bedrock", Chat, model: "m|cut-after=1", stream: true, baseUrl: new Uri("http://127.0.0.1:9000/v1/"), options: options);

        var request = Adapter().CreateRequest(call);

        Assert.Equal("http://127.0.0.1:9000/v1/model/m%7Ccut-after%3D1/converse-stream", request.Uri.AbsoluteUri);
        Assert.Equal("application/vnd.amazon.eventstream", request.Header("Accept"));
        Assert.Equal("token", request.Header("X-Amz-Security-Token"));
        Assert.Contains("/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", request.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_ApiKeyWithoutAwsKeys_SendsABearer()
    {
        var request = Adapter().CreateRequest(ProviderCalls.Create("bedrock", Chat, credential: "bedrock-api-key"));

        Assert.Equal("Bearer bedrock-api-key", request.Header("Authorization"));
        Assert.DoesNotContain(request.Headers, h => h.Key == "X-Amz-Date");
    }

    [Theory]
    [InlineData(null, "AWS credentials")]
    [InlineData("half", "both aws_access_key_id and aws_secret_access_key")]
    [InlineData("region", "not an AWS region")]
    public void CreateRequest_MissingOrBadAwsSettings_IsRefused(string? problem, string expected)
    {
        var options = problem switch
        {
            "half" => new Dictionary<string, string> { ["aws_access_key_id"] = "AKID" },
            "region" => new Dictionary<string, string>(Keys) { ["aws_region"] = "evil.com/x" },
            _ => [],
        };

        var ex = Assert.Throws<ProviderRequestException>(() => Adapter().CreateRequest(ProviderCalls.Create("bedrock", Chat, options: options)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRequest_Embeddings_InvokesTheModel()
    {
        var call = ProviderCalls.Create("bedrock", """{"model":"x","input":["alpha","beta"],"dimensions":256}""", ApiOperation.Embeddings, model: "cohere.embed-v4:0", options: Keys);

        var request = Adapter().CreateRequest(call);

        Assert.Equal("https://bedrock-runtime.us-east-1.amazonaws.com/model/cohere.embed-v4%3A0/invoke", request.Uri.AbsoluteUri);
        Assert.Equal("""{"texts":["alpha","beta"],"input_type":"search_document","output_dimension":256}""", request.Text());
    }

    [Fact]
    public void TranslateResponse_Chat_UsesTheClockAndModel()
    {
        var call = ProviderCalls.Create("bedrock", Chat, model: "m", options: Keys);

        var body = Encoding.UTF8.GetString(Adapter().TranslateResponse(call, """{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}"""u8));

        Assert.Contains("\"created\":1767323045,\"model\":\"m\"", body, StringComparison.Ordinal);
        Assert.StartsWith("{\"id\":\"chatcmpl-", body, StringComparison.Ordinal);
    }

    [Fact]
    public void TranslateError_Throttling_IsARateLimitError()
    {
        var call = ProviderCalls.Create("bedrock", Chat, options: Keys);

        var body = Encoding.UTF8.GetString(Adapter().TranslateError(call, 429, """{"message":"Too many requests, please wait before trying again."}"""u8));

        Assert.Equal("""{"error":{"message":"Too many requests, please wait before trying again.","type":"rate_limit_error","param":null,"code":null}}""", body);
    }

    [Theory]
    [InlineData(400, """{"message":"Malformed input request"}""", "invalid_request_error", null)]
    [InlineData(403, """{"message":"The security token included in the request is invalid."}""", "authentication_error", null)]
    [InlineData(403, """{"message":"You don't have access to the model with the specified model ID."}""", "permission_error", null)]
    [InlineData(404, """{"message":"Could not resolve the foundation model"}""", "not_found_error", null)]
    [InlineData(408, """{"message":"Model has timed out"}""", "api_error", null)]
    [InlineData(500, """{"message":"Internal"}""", "api_error", null)]
    [InlineData(503, """{"message":"Service unavailable"}""", "api_error", null)]
    [InlineData(400, """{"__type":"com.amazonaws.bedrock#AccessDeniedException","message":"no"}""", "permission_error", "AccessDeniedException")]
    public void TranslateError_StatusAndMessage_PickTheType(int status, string body, string type, string? code)
    {
        var error = System.Text.Json.JsonDocument.Parse(BedrockErrors.ToOpenAi(status, Encoding.UTF8.GetBytes(body))).RootElement.GetProperty("error");

        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public void TranslateError_NotJson_SaysWhoAnswered()
    {
        Assert.Equal(
            """{"error":{"message":"Bedrock answered 502","type":"api_error","param":null,"code":null}}""",
            Encoding.UTF8.GetString(BedrockErrors.ToOpenAi(502, "<html>bad gateway</html>"u8)));
    }

    [Fact]
    public void TranslateError_ErrorTypeHeader_IsTheCodeAndDecidesTheType()
    {
        var call = ProviderCalls.Create("bedrock", Chat, options: Keys);
        using var response = Answer(429, ("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"));

        var body = Encoding.UTF8.GetString(Adapter().TranslateError(call, 429, """{"message":"Too many requests, please wait before trying again."}"""u8, ProviderResponseHeaders.Of(response)));

        Assert.Equal("""{"error":{"message":"Too many requests, please wait before trying again.","type":"rate_limit_error","param":null,"code":"ThrottlingException"}}""", body);
    }

    [Theory]
    [InlineData("AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/", "permission_error", "AccessDeniedException")]
    [InlineData("UnrecognizedClientException", "authentication_error", "UnrecognizedClientException")]
    [InlineData(null, "authentication_error", null)]
    public void TranslateError_Forbidden_HeaderWinsOverTheMessage(string? errorType, string type, string? code)
    {
        // Without the header, a 403 that mentions credentials reads as a bad key; the header says what it really is.
        var call = ProviderCalls.Create("bedrock", Chat, options: Keys);
        using var response = errorType is null ? Answer(403) : Answer(403, ("x-amzn-ErrorType", errorType));

        var json = Adapter().TranslateError(call, 403, """{"message":"These credentials have no access to the model."}"""u8, ProviderResponseHeaders.Of(response));

        var error = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public void TranslateError_HeaderAndBodyType_TheHeaderWins()
    {
        var call = ProviderCalls.Create("bedrock", Chat, options: Keys);
        using var response = Answer(400, ("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"));

        var json = Adapter().TranslateError(call, 400, """{"__type":"com.amazonaws.bedrock#AccessDeniedException","message":"no"}"""u8, ProviderResponseHeaders.Of(response));

        var error = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("ValidationException", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("11", 11)]
    [InlineData(null, 5)]
    [InlineData("not a count", 5)]
    public void TranslateResponse_CohereEmbeddings_TakeTheTokenCountHeaderElseEstimate(string? tokenCount, int promptTokens)
    {
        var call = ProviderCalls.Create("bedrock", """{"model":"x","input":["alpha","beta gamma"]}""", ApiOperation.Embeddings, model: "cohere.embed-english-v3", options: Keys);
        using var response = tokenCount is null ? Answer(200) : Answer(200, ("X-Amzn-Bedrock-Input-Token-Count", tokenCount));

        var body = Encoding.UTF8.GetString(Adapter().TranslateResponse(call, """{"embeddings":[[1,0],[0,1]],"id":"e1","response_type":"embeddings_floats","texts":["alpha","beta gamma"]}"""u8, ProviderResponseHeaders.Of(response)));

        Assert.EndsWith($$$""","model":"cohere.embed-english-v3","usage":{"prompt_tokens":{{{promptTokens}}},"total_tokens":{{{promptTokens}}}}}""", body, StringComparison.Ordinal);
    }

    [Fact]
    public void TranslateResponse_TitanEmbeddings_TakeTheTokenCountHeaderOverTheBody()
    {
        var call = ProviderCalls.Create("bedrock", """{"model":"x","input":"alpha"}""", ApiOperation.Embeddings, model: "amazon.titan-embed-text-v2:0", options: Keys);
        using var response = Answer(200, ("X-Amzn-Bedrock-Input-Token-Count", "4"));

        var body = Encoding.UTF8.GetString(Adapter().TranslateResponse(call, """{"embedding":[0.5],"inputTextTokenCount":3}"""u8, ProviderResponseHeaders.Of(response)));

        Assert.EndsWith("\"usage\":{\"prompt_tokens\":4,\"total_tokens\":4}}", body, StringComparison.Ordinal);
    }

    private static HttpResponseMessage Answer(int status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)status) { Content = new ByteArrayContent([]) };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }
}
