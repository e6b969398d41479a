namespace Switchyard.Providers;

/// <summary>The OpenAI-shaped operations the gateway serves; each maps to a provider path.</summary>
public enum ApiOperation
{
    ChatCompletions,
    Completions,
    Embeddings,
    Models,
}

public static class ApiOperations
{
    /// <summary>The OpenAI path of the operation below the API base, e.g. <c>/chat/completions</c>.</summary>
    public static string OpenAiPath(this ApiOperation operation) => operation switch
    {
        ApiOperation.ChatCompletions => "/chat/completions",
        ApiOperation.Completions => "/completions",
        ApiOperation.Embeddings => "/embeddings",
        ApiOperation.Models => "/models",
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };

    public static bool HasBody(this ApiOperation operation) => operation != ApiOperation.Models;

    public static bool CanStream(this ApiOperation operation) => operation is ApiOperation.ChatCompletions or ApiOperation.Completions;

    public static string Describe(this ApiOperation operation) => operation switch
    {
        ApiOperation.ChatCompletions => "chat completions",
        ApiOperation.Completions => "completions",
        ApiOperation.Embeddings => "embeddings",
        _ => "model listing",
    };
}
