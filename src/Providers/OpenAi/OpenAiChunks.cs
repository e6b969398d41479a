using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>
/// The <c>chat.completion.chunk</c> payloads of one translated stream. Every chunk repeats the stream's id, creation
/// time and model; some providers reveal the id and model only in their first event, so both can be set as the stream goes.
/// The <c>choice</c> arguments are the choice's index, 0 for providers that stream a single one.
/// </summary>
internal sealed class OpenAiChunks(string? id, long created, string model)
{
    /// <summary>OpenAI's terminator, <c>data: [DONE]</c>.</summary>
    public static readonly byte[] Done = "[DONE]"u8.ToArray();

    public string? Id { get; set; } = id;

    public string Model { get; set; } = model;

    /// <summary>The first chunk of a choice: <c>{"role":"assistant","content":""}</c>, as OpenAI opens every stream.</summary>
    public byte[] Role(int choice = 0) => Chunk(choice, null, static json =>
    {
        json.WriteString("role", "assistant");
        json.WriteString("content", "");
    });

    public byte[] Content(string text, int choice = 0) => Chunk(choice, null, json => json.WriteString("content", text));

    /// <summary>The chunk that opens a tool call: its index among the choice's calls, id, name and the first arguments (often none yet).</summary>
    public byte[] ToolCall(int toolIndex, OpenAiToolCall call, int choice = 0) => Chunk(choice, null, json =>
    {
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", toolIndex);
        call.WriteFields(json);
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>More of an open tool call's arguments.</summary>
    public byte[] ToolArguments(int toolIndex, string arguments, int choice = 0) => Chunk(choice, null, json =>
    {
        json.WriteStartArray("tool_calls");
        json.WriteStartObject();
        json.WriteNumber("index", toolIndex);
        json.WriteStartObject("function");
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
    });

    /// <summary>The chunk with an empty delta that says why the choice ended.</summary>
    public byte[] Finish(string? finishReason, int choice = 0) => Chunk(choice, finishReason, static _ => { });

    /// <summary>The usage-only chunk (<c>"choices":[]</c>) OpenAI sends last when asked for <c>stream_options.include_usage</c>.</summary>
    public byte[] Usage(OpenAiUsage usage) => CompactJson.Write(json =>
    {
        json.WriteStartObject();
        WriteHeader(json);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        usage.Write(json);
        json.WriteEndObject();
    }, 256);

    private byte[] Chunk(int choice, string? finishReason, Action<Utf8JsonWriter> writeDelta) => CompactJson.Write(json =>
    {
        json.WriteStartObject();
        WriteHeader(json);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", choice);
        json.WriteStartObject("delta");
        writeDelta(json);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteString("finish_reason", finishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }, 256);

    private void WriteHeader(Utf8JsonWriter json)
    {
        json.WriteString("id", Id);
        json.WriteString("object", "chat.completion.chunk");
        json.WriteNumber("created", created);
        json.WriteString("model", Model);
    }
}
