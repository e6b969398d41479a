using System.Text.Json;
using Switchyard.FakeProvider.Content;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>
/// Reads a chat-completions request into the <see cref="ConversationFacts"/> the shared rule book answers:
/// <c>messages</c> (last user text and images, a trailing <c>tool</c> message, prompt tokens), <c>tools</c>,
/// <c>tool_choice</c> and the token limit. Problems are recorded on the request in OpenAI's words.
/// </summary>
internal static class ChatConversation
{
    public static bool TryRead(OpenAiRequest request, JsonElement messages, int? maxTokens, out ConversationFacts facts)
    {
        facts = null!;
        if (!TryReadMessages(request, messages, out var userText, out var imageCount, out var toolResult, out var promptTokens)
            || !TryReadTools(request, out var toolNames)
            || !TryReadToolChoice(request, toolNames, out var forcedTool, out var toolsDisabled))
        {
            return false;
        }

        facts = new ConversationFacts(userText, imageCount, toolNames, forcedTool, toolsDisabled, toolResult, promptTokens, maxTokens);
        return true;
    }

    /// <summary>
    /// Finds the last user message's text and images and a trailing tool result, and counts prompt tokens: per message
    /// its text's tokens plus <see cref="TokenEstimate.PerChatMessage"/>, plus <see cref="TokenEstimate.PerChatReply"/>.
    /// Images and tool-call arguments add nothing, so the count stays what it was before tools were understood.
    /// </summary>
    private static bool TryReadMessages(
        OpenAiRequest request, JsonElement messages, out string userText, out int imageCount, out string? toolResult, out int promptTokens)
    {
        userText = "";
        imageCount = 0;
        toolResult = null;
        promptTokens = TokenEstimate.PerChatReply;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("role", out var role)
                || role.ValueKind != JsonValueKind.String)
            {
                return request.Refuse($"Invalid 'messages[{index}]': expected an object with a string 'role'.", $"messages[{index}]", "invalid_value");
            }

            if (!TryReadContent(message, out var text, out var images))
            {
                return request.Refuse(
                    $"Invalid 'messages[{index}].content': expected a string, an array of content parts or null.", $"messages[{index}].content", "invalid_type");
            }

            promptTokens += TokenEstimate.ForText(text) + TokenEstimate.PerChatMessage;
            if (role.ValueEquals("user"))
            {
                userText = text;
                imageCount = images;
            }

            // Only a tool message at the very end is a result still waiting for an answer.
            toolResult = role.ValueEquals("tool") ? text : null;
            index++;
        }

        return true;
    }

    /// <summary>
    /// Text content of a message: the string itself, or the <c>text</c> of its parts joined by a space; and how many
    /// of its parts are <c>image_url</c> parts.
    /// </summary>
    private static bool TryReadContent(JsonElement message, out string text, out int images)
    {
        text = "";
        images = 0;
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString()!;
            return true;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var parts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
            {
                parts.Add(partText.GetString()!);
            }
            else if (part.TryGetProperty("type", out var type) && type.ValueEquals("image_url"))
            {
                images++;
            }
        }

        text = string.Join(' ', parts);
        return true;
    }

    /// <summary>The names of the function tools, in order; each entry must be <c>{"type":"function","function":{"name":…}}</c>.</summary>
    private static bool TryReadTools(OpenAiRequest request, out IReadOnlyList<string> names)
    {
        names = [];
        if (!request.Body.TryGetProperty("tools", out var tools) || tools.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            return request.Refuse("Invalid type for 'tools': expected an array of objects.", "tools", "invalid_type");
        }

        var found = new List<string>();
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object
                || !tool.TryGetProperty("type", out var type)
                || !type.ValueEquals("function"))
            {
                return request.Refuse(
                    $"Invalid value for 'tools[{index}].type': the fake supports only 'function' tools.", $"tools[{index}].type", "invalid_value");
            }

            if (!tool.TryGetProperty("function", out var function)
                || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name)
                || name.ValueKind != JsonValueKind.String
                || name.GetString() is not { Length: > 0 } text)
            {
                return request.Refuse(
                    $"Missing required parameter: 'tools[{index}].function.name'.", $"tools[{index}].function.name", "missing_required_parameter");
            }

            found.Add(text);
            index++;
        }

        names = found;
        return true;
    }

    /// <summary>
    /// <c>"none"</c> disables the tools; <c>"auto"</c> and <c>"required"</c> leave the choice to the rule book (which
    /// calls a tool whenever one is offered); <c>{"type":"function","function":{"name":…}}</c> forces that tool.
    /// </summary>
    private static bool TryReadToolChoice(OpenAiRequest request, IReadOnlyList<string> toolNames, out string? forcedTool, out bool toolsDisabled)
    {
        forcedTool = null;
        toolsDisabled = false;
        if (!request.Body.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (toolNames.Count == 0)
        {
            return request.Refuse(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", "invalid_value");
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            if (choice.ValueEquals("none"))
            {
                toolsDisabled = true;
                return true;
            }

            if (choice.ValueEquals("auto") || choice.ValueEquals("required"))
            {
                return true;
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object
            && choice.TryGetProperty("type", out var type)
            && type.ValueEquals("function")
            && choice.TryGetProperty("function", out var function)
            && function.ValueKind == JsonValueKind.Object
            && function.TryGetProperty("name", out var name)
            && name.ValueKind == JsonValueKind.String)
        {
            forcedTool = name.GetString()!;
            return toolNames.Contains(forcedTool, StringComparer.Ordinal)
                || request.Refuse(
                    $"Invalid value for 'tool_choice': no function named '{forcedTool}' in 'tools'.", "tool_choice", "invalid_value");
        }

        return request.Refuse(
            "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or {\"type\":\"function\",\"function\":{\"name\":…}}.",
            "tool_choice",
            "invalid_value");
    }
}
