using System.Text.Json;
using Switchyard.FakeProvider.Content;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>
/// One choice of a fake reply: text (<see cref="Words"/> joined by single spaces) or, for chat, a tool call.
/// </summary>
internal sealed record ReplyChoice(int Index, string[] Words, string FinishReason)
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string ToolCalls = "tool_calls";

    /// <summary>
    /// Streamed tool-call arguments come in pieces of this many characters. OpenAI splits them by token; a fixed
    /// width is as good for clients, which must concatenate the pieces, and keeps the split predictable for tests.
    /// </summary>
    public const int ArgumentPieceLength = 8;

    /// <summary>The tool call this choice makes instead of text (chat only).</summary>
    public ToolCallPlan? ToolCall { get; init; }

    /// <summary>One token per word unless the reply plan says otherwise (tool calls are counted by argument length).</summary>
    public int CompletionTokens { get; init; } = Words.Length;

    public string Text => string.Join(' ', Words);

    /// <summary>How many chunks the stream sends for this choice: one per word, or one per argument piece.</summary>
    public int PieceCount => ToolCall is { } call
        ? (call.ArgumentsJson.Length + ArgumentPieceLength - 1) / ArgumentPieceLength
        : Words.Length;

    /// <summary>
    /// The streamed piece at <paramref name="pieceIndex"/>: a word (every word but the last carries its trailing space),
    /// or a slice of the tool call's arguments. The arguments are JSON written with the default escaping, so they are
    /// ASCII and a slice never splits a character.
    /// </summary>
    public string Piece(int pieceIndex)
    {
        if (ToolCall is { } call)
        {
            var start = pieceIndex * ArgumentPieceLength;
            return call.ArgumentsJson.Substring(start, Math.Min(ArgumentPieceLength, call.ArgumentsJson.Length - start));
        }

        return pieceIndex == Words.Length - 1 ? Words[pieceIndex] : Words[pieceIndex] + " ";
    }
}

/// <summary>What every OpenAI completion response repeats: id, model, choices and usage.</summary>
internal sealed record OpenAiReply(string Id, string Model, IReadOnlyList<ReplyChoice> Choices, int PromptTokens)
{
    /// <summary>Fixed so that responses are byte-for-byte repeatable (2023-11-14T22:13:20Z).</summary>
    public const long Created = 1_700_000_000;

    public const string SystemFingerprint = "fp_fake";

    /// <summary>Summed over all choices, as OpenAI bills every choice.</summary>
    public int CompletionTokens => Choices.Sum(choice => choice.CompletionTokens);

    public void WriteHeader(Utf8JsonWriter json, string objectType)
    {
        json.WriteString("id", Id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", Created);
        json.WriteString("model", Model);
        json.WriteString("system_fingerprint", SystemFingerprint);
    }

    /// <summary>Usage with the detail objects current OpenAI responses carry, zeroed, so clients that read them find them.</summary>
    public void WriteChatUsage(Utf8JsonWriter json)
    {
        json.WriteStartObject("usage");
        WriteUsageCounts(json);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", 0);
        json.WriteNumber("audio_tokens", 0);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", 0);
        json.WriteNumber("audio_tokens", 0);
        json.WriteNumber("accepted_prediction_tokens", 0);
        json.WriteNumber("rejected_prediction_tokens", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public void WriteTextUsage(Utf8JsonWriter json)
    {
        json.WriteStartObject("usage");
        WriteUsageCounts(json);
        json.WriteEndObject();
    }

    private void WriteUsageCounts(Utf8JsonWriter json)
    {
        var completionTokens = CompletionTokens;
        json.WriteNumber("prompt_tokens", PromptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", PromptTokens + completionTokens);
    }
}
