using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Switchyard.FakeProvider.Content;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>
/// Reads a Messages request into <see cref="ConversationFacts"/>, checking what Anthropic checks (and words its
/// complaints the way Anthropic does: <c>messages.0.role: …</c>).
/// </summary>
internal static class AnthropicConversation
{
    /// <summary>
    /// Prompt tokens count like the OpenAI format's: per message its text's tokens plus
    /// <see cref="TokenEstimate.PerChatMessage"/>, the system prompt as one more message, plus
    /// <see cref="TokenEstimate.PerChatReply"/>. A message's text is its text blocks and tool results.
    /// </summary>
    /// <param name="requireMaxTokens">Messages require <c>max_tokens</c>; count_tokens does not take it.</param>
    public static bool TryRead(JsonElement body, bool requireMaxTokens, [NotNullWhen(true)] out ConversationFacts? facts, [NotNullWhen(false)] out string? error)
    {
        facts = null;
        if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            error = "messages: Field required";
            return false;
        }

        int? maxTokens = null;
        if (body.TryGetProperty("max_tokens", out var max))
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var limit) || limit < 1)
            {
                error = "max_tokens: Input should be a valid integer greater than or equal to 1";
                return false;
            }

            maxTokens = limit;
        }
        else if (requireMaxTokens)
        {
            error = "max_tokens: Field required";
            return false;
        }

        var promptTokens = TokenEstimate.PerChatReply;
        if (!TrySystemText(body, out var systemText))
        {
            error = "system: Input should be a valid string or a list of text blocks";
            return false;
        }

        if (systemText.Length > 0)
        {
            promptTokens += TokenEstimate.ForText(systemText) + TokenEstimate.PerChatMessage;
        }

        var lastUserText = "";
        var imageCount = 0;
        string? toolResult = null;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            // Newer API versions also take system messages in the conversation; they count, but are nobody's question.
            if (role is not ("user" or "assistant" or "system"))
            {
                error = $"messages.{index}.role: Input should be 'user', 'assistant' or 'system'";
                return false;
            }

            if (!TryReadContent(message, out var content))
            {
                error = $"messages.{index}.content: Input should be a valid string or a list of content blocks";
                return false;
            }

            promptTokens += TokenEstimate.ForText(content.AllText) + TokenEstimate.PerChatMessage;
            toolResult = null;
            if (role == "user")
            {
                toolResult = content.LastToolResult;
                if (content.HasUserContent)
                {
                    lastUserText = content.Text;
                    imageCount = content.Images;
                }
            }

            index++;
        }

        ReadTools(body, out var toolNames, out var forcedTool, out var toolsDisabled);
        facts = new ConversationFacts(lastUserText, imageCount, toolNames, forcedTool, toolsDisabled, toolResult, promptTokens, maxTokens);
        error = null;
        return true;
    }

    private static bool TrySystemText(JsonElement body, out string text)
    {
        text = "";
        if (!body.TryGetProperty("system", out var system) || system.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (system.ValueKind == JsonValueKind.String)
        {
            text = system.GetString()!;
            return true;
        }

        if (system.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        text = string.Join(' ', system.EnumerateArray().Select(TextOf).Where(t => t is not null));
        return true;
    }

    /// <summary>A message's content, reduced to what the facts need.</summary>
    private sealed record Content(string Text, int Images, bool HasUserContent, string? LastToolResult, string AllText);

    private static bool TryReadContent(JsonElement message, [NotNullWhen(true)] out Content? content)
    {
        content = null;
        if (!message.TryGetProperty("content", out var value))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            content = new Content(text, 0, true, null, text);
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var texts = new List<string>();
        var all = new List<string>();
        var images = 0;
        var hasUserContent = false;
        string? lastToolResult = null;
        foreach (var block in value.EnumerateArray())
        {
            var type = block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text" when TextOf(block) is { } text:
                    texts.Add(text);
                    all.Add(text);
                    hasUserContent = true;
                    break;
                case "image":
                    images++;
                    hasUserContent = true;
                    break;
                case "tool_result":
                    lastToolResult = ToolResultText(block);
                    all.Add(lastToolResult);
                    break;
                case null:
                    return false;
            }
        }

        content = new Content(string.Join(' ', texts), images, hasUserContent, lastToolResult, string.Join(' ', all));
        return true;
    }

    private static string? TextOf(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;

    private static string ToolResultText(JsonElement block)
    {
        if (!block.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => string.Join(' ', content.EnumerateArray().Select(TextOf).Where(t => t is not null)),
            _ => "",
        };
    }

    /// <summary>Custom tools (those with an <c>input_schema</c>) and what <c>tool_choice</c> says about them.</summary>
    private static void ReadTools(JsonElement body, out List<string> names, out string? forced, out bool disabled)
    {
        names = [];
        forced = null;
        disabled = false;
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("input_schema", out _)
                    && tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        if (body.TryGetProperty("tool_choice", out var choice) && choice.ValueKind == JsonValueKind.Object
            && choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            disabled = type.ValueEquals("none");
            if (type.ValueEquals("tool") && choice.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                forced = name.GetString();
            }
        }
    }
}
