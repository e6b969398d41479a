using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>A function call as OpenAI writes it: the arguments are a JSON string, not an object.</summary>
internal readonly record struct OpenAiToolCall(string Id, string Name, string Arguments)
{
    /// <summary><c>id</c>, <c>type</c> and <c>function</c>, into an object the caller opened (a message's call, or a chunk's, after its index).</summary>
    public void WriteFields(Utf8JsonWriter json)
    {
        json.WriteString("id", Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", Name);
        json.WriteString("arguments", Arguments);
        json.WriteEndObject();
    }
}

/// <summary>One choice of a chat completion: the assistant's text (null when it only called tools), its tool calls and why it stopped.</summary>
internal sealed record OpenAiChoice(int Index, string? Content, IReadOnlyList<OpenAiToolCall> ToolCalls, string? FinishReason);

/// <summary>
/// OpenAI's <c>chat.completion</c> body, which every adapter translates its provider's answer into, and the assistant
/// message it carries (the same shape a request's history uses for earlier assistant turns).
/// </summary>
internal static class OpenAiCompletion
{
    /// <param name="usage">Left out when the provider reported none.</param>
    public static byte[] Write(string id, long created, string model, IReadOnlyList<OpenAiChoice> choices, OpenAiUsage? usage, int sizeHint = 512) =>
        CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("object", "chat.completion");
            json.WriteNumber("created", created);
            json.WriteString("model", model);
            json.WriteStartArray("choices");
            foreach (var choice in choices)
            {
                json.WriteStartObject();
                json.WriteNumber("index", choice.Index);
                json.WritePropertyName("message");
                WriteMessage(json, choice.Content, choice.ToolCalls);
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", choice.FinishReason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            usage?.Write(json);
            json.WriteEndObject();
        }, sizeHint);

    /// <summary><c>{"role":"assistant","content":…,"tool_calls":[…]}</c>; <c>tool_calls</c> only when there are some, as OpenAI leaves it out.</summary>
    public static void WriteMessage(Utf8JsonWriter json, string? content, IReadOnlyList<OpenAiToolCall> toolCalls)
    {
        json.WriteStartObject();
        json.WriteString("role", "assistant");
        json.WriteString("content", content);
        if (toolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls");
            foreach (var call in toolCalls)
            {
                json.WriteStartObject();
                call.WriteFields(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }
}
