using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Providers;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// What the semantic cache compares of a request: the <see cref="Text"/> it embeds, and the <see cref="Fingerprint"/>
/// of everything that must be equal, exactly, for an earlier answer to serve it. By default the text is the last user
/// turn; the fingerprint covers every body field but the messages (and the delivery fields <c>stream</c> and
/// <c>stream_options</c>), every message before the last user turn (system prompts and earlier turns, because a
/// shared system prompt embedded with the question makes different questions look alike, and a follow-up means
/// nothing without its conversation), and the text's <see cref="Literals"/> (numbers and negation, which an embedding
/// barely sees). A request is eligible only when it is short and its question is text
/// (<see cref="SemanticCacheOptions"/>).
/// </summary>
/// <param name="Text">What is embedded.</param>
/// <param name="Fingerprint">Lower-case hex SHA-256 of what must be equal; part of the partition.</param>
internal sealed partial record SemanticRequest(string Text, string Fingerprint)
{
    private static readonly FrozenSet<string> ChatSkipped = new[] { "messages", "stream", "stream_options" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> CompletionSkipped = new[] { "prompt", "stream", "stream_options" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ContentSkipped = new[] { "content" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The request's text and fingerprint; null when it is not eligible: another operation than chat or text
    /// completions, no text, too many messages, a last turn that is not the user's or not only text (an image part),
    /// a text longer than <see cref="SemanticCacheOptions.MaxTextLength"/>.
    /// </summary>
    /// <param name="body">The body the provider is sent, as <see cref="CacheKey.Hash"/> reads it.</param>
    /// <exception cref="JsonException">the body is not JSON.</exception>
    public static SemanticRequest? Read(ApiOperation operation, ReadOnlyMemory<byte> body, SemanticCacheOptions options)
    {
        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return operation switch
        {
            ApiOperation.ChatCompletions => ReadChat(body, root, options),
            ApiOperation.Completions => ReadCompletion(body, root, options),
            _ => null,
        };
    }

    /// <summary>
    /// The partition of the semantic index this request searches and stores in: the workspace, every part of the cache
    /// key but the body (namespace, operation, provider, URL, model), the embedding model (vectors of two models are
    /// never compared) and <see cref="Fingerprint"/>, as lower-case hex SHA-256.
    /// </summary>
    public string Partition(CacheKey key, string embedderModel)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, "switchyard-semantic-v1");
        Append(hash, key.WorkspaceId);
        Append(hash, key.Namespace);
        Append(hash, key.Operation);
        Append(hash, key.Provider);
        Append(hash, key.Url);
        Append(hash, key.Model);
        Append(hash, embedderModel);
        Append(hash, Fingerprint);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The numbers of <paramref name="text"/> in order (digits, number words, ordinals and Roman numerals as their
    /// value: "World War II", "the Second World War" and "WW2" all give <c>2</c>), then <c>not</c> when it has a
    /// negation. Embeddings barely tell "2 + 2" from "2 + 3" or "foods for diabetics" from "foods not for diabetics",
    /// so these must be equal for a match; it only ever keeps requests apart. "one" is not counted (mostly a pronoun).
    /// </summary>
    internal static string Literals(string text)
    {
        var terms = new List<string>();
        var negated = false;
        foreach (Match match in LiteralPattern().Matches(text))
        {
            if (match.Groups["number"].Success)
            {
                terms.Add(match.Value.Replace(",", "", StringComparison.Ordinal));
                continue;
            }

            var word = match.Value;
            if (IsRoman(word, out var roman))
            {
                terms.Add(roman.ToString(CultureInfo.InvariantCulture));
                continue;
            }

            var lower = word.ToLowerInvariant().Replace('’', '\'');
            if (NumberWords.TryGetValue(lower, out var value))
            {
                terms.Add(value);
            }
            else if (Negations.Contains(lower) || lower.EndsWith("n't", StringComparison.Ordinal))
            {
                negated = true;
            }
        }

        if (negated)
        {
            terms.Add("not");
        }

        return string.Join(' ', terms);
    }

    private static SemanticRequest? ReadChat(ReadOnlyMemory<byte> body, JsonElement root, SemanticCacheOptions options)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var count = messages.GetArrayLength();
        if (count == 0 || count > options.MaxMessages)
        {
            return null;
        }

        var last = messages[count - 1];
        if (!IsRole(last, "user") || TextOf(last) is not { } question)
        {
            return null;
        }

        using var fingerprint = Fingerprinting(options.EmbedAllMessages ? "chat-all-messages" : "chat-last-turn", body, ChatSkipped);
        string text;
        if (options.EmbedAllMessages)
        {
            var conversation = new StringBuilder();
            foreach (var message in messages.EnumerateArray())
            {
                if (!IsConversationText(message) || TextOf(message) is not { } said)
                {
                    return null;
                }

                conversation.Append(message.GetProperty("role").GetString()).Append(": ").Append(said).Append('\n');
            }

            text = conversation.ToString().Trim();
        }
        else
        {
            foreach (var message in messages.EnumerateArray().Take(count - 1))
            {
                Append(fingerprint, CanonicalJson.Write(Raw(message)));
            }

            Append(fingerprint, CanonicalJson.Write(Raw(last), ContentSkipped));
            text = question;
        }

        return Eligible(text, fingerprint, options);
    }

    private static SemanticRequest? ReadCompletion(ReadOnlyMemory<byte> body, JsonElement root, SemanticCacheOptions options)
    {
        if (!root.TryGetProperty("prompt", out var prompt))
        {
            return null;
        }

        // One prompt only: a list of prompts asks for one answer each, and token-id prompts are not text.
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() == 1)
        {
            prompt = prompt[0];
        }

        if (prompt.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        using var fingerprint = Fingerprinting("completion", body, CompletionSkipped);
        return Eligible(prompt.GetString()!.Trim(), fingerprint, options);
    }

    private static SemanticRequest? Eligible(string text, IncrementalHash fingerprint, SemanticCacheOptions options)
    {
        if (text.Length == 0 || text.Length > options.MaxTextLength)
        {
            return null;
        }

        Append(fingerprint, Literals(text));
        return new SemanticRequest(text, Convert.ToHexStringLower(fingerprint.GetHashAndReset()));
    }

    /// <summary>A fingerprint begun with what is compared and the body's parameters, canonicalised.</summary>
    private static IncrementalHash Fingerprinting(string scope, ReadOnlyMemory<byte> body, IReadOnlySet<string> skipped)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, "switchyard-semantic-request-v1");
        Append(hash, scope);
        Append(hash, CanonicalJson.Write(body, skipped));
        return hash;
    }

    private static bool IsRole(JsonElement message, string role) =>
        message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("role", out var value)
        && value.ValueKind == JsonValueKind.String
        && value.ValueEquals(role);

    /// <summary>A message whose meaning is its text: no tool calls or tool results, which text alone does not say.</summary>
    private static bool IsConversationText(JsonElement message) =>
        (IsRole(message, "system") || IsRole(message, "developer") || IsRole(message, "user") || IsRole(message, "assistant"))
        && !message.TryGetProperty("tool_calls", out _)
        && !message.TryGetProperty("function_call", out _);

    /// <summary>A message's text, trimmed: its string content, or its text parts joined by new lines; null when it has none or any other part.</summary>
    private static string? TextOf(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return null;
        }

        string text;
        if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString()!;
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            var parts = new List<string>();
            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind != JsonValueKind.Object
                    || !part.TryGetProperty("type", out var type) || !type.ValueEquals("text")
                    || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                parts.Add(partText.GetString()!);
            }

            text = string.Join('\n', parts);
        }
        else
        {
            return null;
        }

        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    private static ReadOnlyMemory<byte> Raw(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();

    /// <summary>Each part length-prefixed, so no two different sets of parts hash the same bytes.</summary>
    private static void Append(IncrementalHash hash, string part) => Append(hash, Encoding.UTF8.GetBytes(part));

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> part)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, part.Length);
        hash.AppendData(length);
        hash.AppendData(part);
    }

    /// <summary>An uppercase Roman numeral of two letters or more, from II to XXXIX (a lone "I" is a pronoun, "V" and "X" are names).</summary>
    private static bool IsRoman(string word, out int value)
    {
        value = 0;
        if (word.Length < 2 || !RomanPattern().IsMatch(word))
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            var digit = word[i] switch { 'X' => 10, 'V' => 5, _ => 1 };
            var next = i + 1 < word.Length ? word[i + 1] switch { 'X' => 10, 'V' => 5, _ => 1 } : 0;
            value += digit < next ? -digit : digit;
        }

        return true;
    }

    private static readonly FrozenDictionary<string, string> NumberWords =
        ("zero:0 two:2 three:3 four:4 five:5 six:6 seven:7 eight:8 nine:9 ten:10 eleven:11 twelve:12 thirteen:13 fourteen:14 "
        + "fifteen:15 sixteen:16 seventeen:17 eighteen:18 nineteen:19 twenty:20 thirty:30 forty:40 fifty:50 sixty:60 "
        + "seventy:70 eighty:80 ninety:90 hundred:100 thousand:1000 million:1000000 billion:1000000000 first:1 second:2 "
        + "third:3 fourth:4 fifth:5 sixth:6 seventh:7 eighth:8 ninth:9 tenth:10 eleventh:11 twelfth:12")
        .Split(' ')
        .Select(pair => pair.Split(':'))
        .ToFrozenDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Negations = new[]
    {
        "not", "no", "never", "nor", "none", "nothing", "nobody", "nowhere", "neither", "without", "cannot",
    }.ToFrozenSet(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<number>\d+(?:[.,]\d+)*)|(?<word>\p{L}+(?:['’]\p{L}+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex LiteralPattern();

    [GeneratedRegex("^X{0,3}(?:IX|IV|V?I{0,3})$", RegexOptions.CultureInvariant)]
    private static partial Regex RomanPattern();
}
