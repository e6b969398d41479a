using System.Buffers;
using System.Text.Json;

namespace Switchyard.Bench.Micro.Payloads;

/// <summary>The two request sizes every request-side benchmark runs on.</summary>
public enum ChatSize
{
    /// <summary>One user message, about 200 bytes: a quick completion.</summary>
    Small,

    /// <summary>A system prompt and 19 turns with a tool, about 20 KB: an agent loop a few steps in.</summary>
    Large,
}

/// <summary>OpenAI chat-completions request bodies as SDKs send them.</summary>
internal static class ChatBodies
{
    public const string Model = "gpt-4o-mini";

    public static byte[] OpenAi(ChatSize size, bool stream = false) => size switch
    {
        ChatSize.Small => Write(stream, json =>
        {
            json.WriteStartObject();
            json.WriteString("role", "user");
            json.WriteString("content", Prose.Text(120));
            json.WriteEndObject();
        }, withTools: false),
        ChatSize.Large => Write(stream, WriteConversation, withTools: true),
        _ => throw new ArgumentOutOfRangeException(nameof(size)),
    };

    private static void WriteConversation(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("role", "system");
        json.WriteString("content", Prose.Text(1500));
        json.WriteEndObject();
        for (var turn = 0; turn < 19; turn++)
        {
            json.WriteStartObject();
            json.WriteString("role", turn % 2 == 0 ? "user" : "assistant");
            json.WriteString("content", Prose.Text(turn % 2 == 0 ? 600 : 1300, seed: turn));
            json.WriteEndObject();
        }
    }

    private static byte[] Write(bool stream, Action<Utf8JsonWriter> messages, bool withTools)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", Model);
            json.WriteStartArray("messages");
            messages(json);
            json.WriteEndArray();
            json.WriteNumber("temperature", 0.7);
            json.WriteNumber("max_tokens", 1024);
            if (withTools)
            {
                WriteTool(json);
            }

            if (stream)
            {
                json.WriteBoolean("stream", true);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTool(Utf8JsonWriter json)
    {
        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", "get_weather");
        json.WriteString("description", "Current weather for a city.");
        json.WriteStartObject("parameters");
        json.WriteString("type", "object");
        json.WriteStartObject("properties");
        json.WriteStartObject("city");
        json.WriteString("type", "string");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("required");
        json.WriteStringValue("city");
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    }
}
