using Switchyard.Providers;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// OpenTelemetry's GenAI semantic conventions (docs/gen-ai in open-telemetry/semantic-conventions): attribute names,
/// the operation names of the gateway's operations, provider names, and the histogram buckets the conventions advise.
/// </summary>
internal static class GenAiConventions
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string HttpStatusCode = "http.response.status_code";

    /// <summary>Advised for <c>gen_ai.client.operation.duration</c> and <c>gen_ai.server.request.duration</c>.</summary>
    public static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    /// <summary>Advised for <c>gen_ai.server.time_to_first_token</c>.</summary>
    public static readonly double[] TimeToFirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    /// <summary>Advised for <c>gen_ai.client.token.usage</c>.</summary>
    public static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The conventions' operation name; null for operations they do not cover (the model list).</summary>
    public static string? Operation(ApiOperation operation) => operation switch
    {
        ApiOperation.ChatCompletions => "chat",
        ApiOperation.Completions => "text_completion",
        ApiOperation.Embeddings => "embeddings",
        _ => null,
    };

    /// <summary>The conventions' well-known provider names where one applies; otherwise the catalog's slug (a closed set).</summary>
    public static string Provider(string slug) => slug switch
    {
        "bedrock" => "aws.bedrock",
        "azure-openai" => "azure.ai.openai",
        "google" => "gcp.gemini",
        "mistral-ai" => "mistral_ai",
        "x-ai" => "x_ai",
        "perplexity-ai" => "perplexity",
        _ => slug,
    };
}
