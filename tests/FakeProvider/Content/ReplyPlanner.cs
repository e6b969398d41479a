using System.Text.Json;

namespace Switchyard.FakeProvider.Content;

/// <summary>
/// What a request says, reduced to what decides the fake's answer. Every wire format reads its own request
/// shape into these facts, so every format answers the same conversation the same way.
/// </summary>
/// <param name="LastUserText">The text parts of the last user message, joined by single spaces.</param>
/// <param name="ImageCount">Images in the last user message.</param>
/// <param name="ToolNames">The function tools offered, in order.</param>
/// <param name="ForcedTool">The tool the request insists on (OpenAI <c>tool_choice</c> naming a function, Anthropic <c>{"type":"tool","name":…}</c>), if any.</param>
/// <param name="ToolsDisabled">The request offers tools but forbids calling them (<c>tool_choice: "none"</c>).</param>
/// <param name="ToolResult">When the last message carries a tool result: its text.</param>
/// <param name="PromptTokens">The format's prompt token count (see <see cref="TokenEstimate"/>).</param>
/// <param name="MaxTokens">The output token limit, if the request set one.</param>
internal sealed record ConversationFacts(
    string LastUserText,
    int ImageCount,
    IReadOnlyList<string> ToolNames,
    string? ForcedTool,
    bool ToolsDisabled,
    string? ToolResult,
    int PromptTokens,
    int? MaxTokens);

/// <summary>A function call the fake decided to make.</summary>
/// <param name="Id">Deterministic id, <c>call_</c> + a stable hash.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="ArgumentsJson">Always <c>{"text":"&lt;last user text&gt;"}</c>.</param>
internal sealed record ToolCallPlan(string Id, string Name, string ArgumentsJson);

/// <summary>The fake's answer, before any wire format encodes it.</summary>
/// <param name="Words">The reply text as words (empty for a tool call).</param>
/// <param name="ToolCall">The tool call, when the answer is one.</param>
/// <param name="Finish">Why it ended: <see cref="FinishKind"/>.</param>
internal sealed record ReplyPlan(string[] Words, ToolCallPlan? ToolCall, FinishKind Finish, int PromptTokens, int CompletionTokens)
{
    public string Text => string.Join(' ', Words);
}

internal enum FinishKind
{
    /// <summary>Natural end (OpenAI <c>stop</c>, Anthropic <c>end_turn</c>, Gemini <c>STOP</c>, Cohere <c>COMPLETE</c>, Bedrock <c>end_turn</c>).</summary>
    Stop,

    /// <summary>Cut by the token limit (OpenAI <c>length</c>, Anthropic <c>max_tokens</c>, Gemini <c>MAX_TOKENS</c>, Cohere <c>MAX_TOKENS</c>, Bedrock <c>max_tokens</c>).</summary>
    Length,

    /// <summary>A tool call (OpenAI <c>tool_calls</c>, Anthropic <c>tool_use</c>, Gemini <c>STOP</c> with a functionCall part, Cohere <c>TOOL_CALL</c>, Bedrock <c>tool_use</c>).</summary>
    ToolCall,
}

/// <summary>
/// The fake's one rule book, shared by every wire format:
/// a tool result is answered with <c>Tool said: &lt;result&gt;</c>; offered tools (unless disabled) are called, the forced
/// one or else the first, with arguments <c>{"text": last user text}</c>; otherwise the reply echoes the last user text
/// (<c>You said: …</c>, plus <c>[N image(s)]</c> when images came with it) or, with the <c>words=N</c> directive, N generated words.
/// <c>max_tokens</c> truncates text replies by words (finish: length). Completion tokens: one per word; for a tool call,
/// the arguments' length / 4.
/// </summary>
internal static class ReplyPlanner
{
    public const string ToolResultPrefix = "Tool said:";

    public static ReplyPlan Plan(ConversationFacts facts, int? generatedWords)
    {
        if (facts.ToolResult is null && facts.ToolNames.Count > 0 && !facts.ToolsDisabled)
        {
            var name = facts.ForcedTool ?? facts.ToolNames[0];
            var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = facts.LastUserText });
            var id = $"call_{StableHash.Of(name + arguments):x16}";
            return new ReplyPlan([], new ToolCallPlan(id, name, arguments), FinishKind.ToolCall, facts.PromptTokens, TokenEstimate.ForText(arguments));
        }

        string[] words;
        if (facts.ToolResult is not null)
        {
            words = ReplyText.Words($"{ToolResultPrefix} {facts.ToolResult}");
        }
        else if (generatedWords is int count)
        {
            words = ReplyText.Generated(facts.LastUserText, count);
        }
        else
        {
            var images = facts.ImageCount switch
            {
                0 => "",
                1 => " [1 image]",
                var n => $" [{n} images]",
            };
            words = ReplyText.Echo(facts.LastUserText + images);
        }

        words = ReplyText.Truncate(words, facts.MaxTokens, out var truncated);
        return new ReplyPlan(words, null, truncated ? FinishKind.Length : FinishKind.Stop, facts.PromptTokens, words.Length);
    }
}
