using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>
/// OpenAI's <c>usage</c> object. Adapters count each provider's tokens into it; the Anthropic dialect reads it back.
/// <paramref name="CachedTokens"/> and <paramref name="ReasoningTokens"/> are written only when the provider reported them.
/// </summary>
internal readonly record struct OpenAiUsage(int PromptTokens, int CompletionTokens, int TotalTokens, int? CachedTokens = null, int? ReasoningTokens = null)
{
    /// <summary>Prompt tokens not read from a cache.</summary>
    public int UncachedPromptTokens => Math.Max(0, PromptTokens - (CachedTokens ?? 0));

    /// <summary>The counts of an OpenAI <c>usage</c> object; zeros when it is not an object.</summary>
    public static OpenAiUsage Read(JsonElement usage) => usage.ValueKind != JsonValueKind.Object
        ? default
        : new(
            usage.Int("prompt_tokens"),
            usage.Int("completion_tokens"),
            usage.Int("total_tokens"),
            usage.TryGetProperty("prompt_tokens_details", out var details) ? details.Int("cached_tokens") : null);

    /// <summary>Writes the <c>usage</c> property.</summary>
    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", PromptTokens);
        json.WriteNumber("completion_tokens", CompletionTokens);
        json.WriteNumber("total_tokens", TotalTokens);
        if (CachedTokens is { } cached)
        {
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", cached);
            json.WriteEndObject();
        }

        if (ReasoningTokens is { } reasoning)
        {
            json.WriteStartObject("completion_tokens_details");
            json.WriteNumber("reasoning_tokens", reasoning);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
