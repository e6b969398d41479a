using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Anthropic's usage counted the OpenAI way: its <c>input_tokens</c> leave out cache reads and writes, OpenAI's
/// <c>prompt_tokens</c> count every prompt token, with cache reads repeated in <c>prompt_tokens_details.cached_tokens</c>.
/// </summary>
internal readonly record struct AnthropicUsage(int Input, int CacheCreation, int? CacheRead, int Output)
{
    public int PromptTokens => Input + CacheCreation + (CacheRead ?? 0);

    public static AnthropicUsage From(JsonElement usage) => new(
        usage.Int("input_tokens"),
        usage.Int("cache_creation_input_tokens"),
        usage.Has("cache_read_input_tokens", out _) ? usage.Int("cache_read_input_tokens") : null,
        usage.Int("output_tokens"));

    /// <summary>Takes what a <c>message_delta</c> reports: output tokens always, the other counters when present (they are running totals).</summary>
    public AnthropicUsage Update(JsonElement usage) => new(
        usage.Has("input_tokens", out _) ? usage.Int("input_tokens") : Input,
        usage.Has("cache_creation_input_tokens", out _) ? usage.Int("cache_creation_input_tokens") : CacheCreation,
        usage.Has("cache_read_input_tokens", out _) ? usage.Int("cache_read_input_tokens") : CacheRead,
        usage.Has("output_tokens", out _) ? usage.Int("output_tokens") : Output);

    /// <summary>The counts as OpenAI's <c>usage</c>; <c>cached_tokens</c> only when Anthropic reported cache reads.</summary>
    public OpenAiUsage ToOpenAi() => new(PromptTokens, Output, PromptTokens + Output, CacheRead);
}
