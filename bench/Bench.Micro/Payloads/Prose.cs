using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchyard.Bench.Micro.Payloads;

/// <summary>
/// Deterministic chat text of a given length. Quotes, newlines and non-ASCII letters are mixed in because they are what
/// makes JSON strings escape, and escaping is where readers and writers spend their time on real prompts.
/// </summary>
internal static class Prose
{
    private static readonly string[] Sentences =
    [
        "The gateway routes each request to the provider the config names.",
        "When the first target answers 429, the fallback moves on to the next one.",
        "She said \"keep the retries bounded\", and nobody argued.",
        "Tokens stream back one delta at a time;\nthe client renders them as they arrive.",
        "Naïve caching of prompts with café-style Unicode — résumés, Zürich, 東京 — still has to be byte-exact.",
        "A loadbalance node picks a target in proportion to its weight.",
        "Usage arrives in the last chunk, after the finish reason.",
    ];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON string literal, escaped the way providers send text (UTF-8 kept, only what JSON requires escaped).</summary>
    public static string Quote(string text) => JsonSerializer.Serialize(text, Relaxed);

    public static string Text(int length, int seed = 0)
    {
        var text = new StringBuilder(length + 128);
        for (var i = seed; text.Length < length; i++)
        {
            text.Append(Sentences[i % Sentences.Length]).Append(' ');
        }

        return text.ToString(0, length).TrimEnd();
    }

    /// <summary>Short streamed deltas (" The", " gateway", …), the way models emit tokens.</summary>
    public static IEnumerable<string> Deltas(int count)
    {
        var words = Text(count * 12).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < count; i++)
        {
            yield return (i == 0 ? "" : " ") + words[i % words.Length];
        }
    }
}
