namespace Switchyard.Providers.Catalog;

/// <summary>What Switchyard knows about one model: its limits and list prices.</summary>
/// <param name="Provider">The provider's slug (<c>openai</c>, <c>anthropic</c>, <c>bedrock</c>, …).</param>
/// <param name="Id">The model id as the provider names it.</param>
/// <param name="ContextWindow">The provider's stated context window in tokens; null when not known.</param>
/// <param name="MaxOutputTokens">The most tokens one answer may have; null when not known.</param>
/// <param name="InputPerMillion">USD per 1M prompt tokens; null when not known.</param>
/// <param name="OutputPerMillion">USD per 1M completion tokens; null when not known (and for embeddings).</param>
/// <param name="CachedInputPerMillion">USD per 1M prompt tokens read from the provider's prompt cache; null when the provider has no discount or it is not known.</param>
/// <param name="Kind"><see cref="Chat"/> or <see cref="Embedding"/>.</param>
public sealed record ModelInfo(
    string Provider,
    string Id,
    int? ContextWindow,
    int? MaxOutputTokens,
    decimal? InputPerMillion,
    decimal? OutputPerMillion,
    decimal? CachedInputPerMillion,
    string Kind)
{
    public const string Chat = "chat";
    public const string Embedding = "embedding";
}
