using System.Text.Json;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Dialects.Anthropic;

/// <summary>An OpenAI chat completion written as the Anthropic message an Anthropic client expects.</summary>
internal static class AnthropicClientResponse
{
    public static byte[] FromOpenAi(ReadOnlySpan<byte> openAiBody)
    {
        var reader = new Utf8JsonReader(openAiBody, new JsonReaderOptions { MaxDepth = AnthropicWire.DocumentOptions.MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;

        // The provider's body was only checked to be JSON; anything but an object reads as an empty answer.
        var choice = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0 ? choices[0] : default;
        var message = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var m) ? m : default;
        return CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", MessageId(root.String("id")));
            json.WriteString("type", "message");
            json.WriteString("role", "assistant");
            json.WriteString("model", root.String("model") ?? "");
            json.WriteStartArray("content");
            if (message.String("content") is { Length: > 0 } text)
            {
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", text);
                json.WriteEndObject();
            }

            if (message.ValueKind == JsonValueKind.Object && message.Has("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray().Where(call => call.ValueKind == JsonValueKind.Object))
                {
                    var function = call.TryGetProperty("function", out var f) ? f : default;
                    json.WriteStartObject();
                    json.WriteString("type", "tool_use");
                    json.WriteString("id", call.String("id") ?? "");
                    json.WriteString("name", function.String("name") ?? "");
                    json.WritePropertyName("input");
                    WriteInput(json, function.String("arguments"));
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteString("stop_reason", AnthropicWire.StopReason(choice.String("finish_reason")));
            json.WriteNull("stop_sequence");
            var usage = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            WriteUsage(json, OpenAiUsage.Read(usage));
            json.WriteEndObject();
        }, openAiBody.Length + 256);
    }

    /// <summary>Anthropic ids start with <c>msg_</c>; the provider's id is kept after it so logs can be matched.</summary>
    public static string MessageId(string? openAiId) => "msg_" + (openAiId is { Length: > 0 } id
        ? id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? id["chatcmpl-".Length..] : id
        : "switchyard");

    /// <summary>Anthropic's usage object from OpenAI counts: its <c>input_tokens</c> leave cache reads out.</summary>
    public static void WriteUsage(Utf8JsonWriter json, OpenAiUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", usage.UncachedPromptTokens);
        json.WriteNumber("cache_creation_input_tokens", 0);
        json.WriteNumber("cache_read_input_tokens", usage.CachedTokens ?? 0);
        json.WriteNumber("output_tokens", usage.CompletionTokens);
        json.WriteEndObject();
    }

    /// <summary>Arguments that are not an object give <c>{}</c>: an answer is written whatever the provider sent.</summary>
    private static void WriteInput(Utf8JsonWriter json, string? arguments)
    {
        if (!AnthropicWire.TryWriteInput(json, arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
    }
}
