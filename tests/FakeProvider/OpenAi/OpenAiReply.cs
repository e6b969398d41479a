using System.Text.Json;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>One choice of a fake reply; its content is <see cref="Words"/> joined by single spaces.</summary>
internal sealed record ReplyChoice(int Index, string[] Words, string FinishReason)
{
    public const string Stop = "stop";
    public const string Length = "length";

    public string Text => string.Join(' ', Words);

    /// <summary>The streamed piece for one word: every word but the last carries its trailing space.</summary>
    public string Piece(int wordIndex) => wordIndex == Words.Length - 1 ? Words[wordIndex] : Words[wordIndex] + " ";
}

/// <summary>What every OpenAI completion response repeats: id, model, choices and usage.</summary>
internal sealed record OpenAiReply(string Id, string Model, IReadOnlyList<ReplyChoice> Choices, int PromptTokens)
{
    /// <summary>Fixed so that responses are byte-for-byte repeatable (2023-11-14T22:13:20Z).</summary>
    public const long Created = 1_700_000_000;

    public const string SystemFingerprint = "fp_fake";

    /// <summary>One token per word, summed over all choices, as OpenAI bills every choice.</summary>
    public int CompletionTokens => Choices.Sum(choice => choice.Words.Length);

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
