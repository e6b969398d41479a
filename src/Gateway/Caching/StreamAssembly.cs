using System.Buffers.Text;
using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// A stored stream's chunks assembled into the one JSON answer they add up to, as an OpenAI SDK's stream accumulator
/// does: per choice (by its <c>index</c>), delta strings concatenated (content, refusal, and whatever reasoning field
/// the provider used: <c>reasoning_content</c>, <c>reasoning</c>), tool calls merged by their <c>index</c> with id, type
/// and name kept and arguments concatenated, <c>logprobs</c> lists joined, the last finish reason; top-level fields
/// (model, system_fingerprint, …) as the chunks last gave them, and the usage. A text completion's <c>text</c> is joined
/// the same way.
/// </summary>
internal static class StreamAssembly
{
    /// <summary>Delta fields that name or place a thing rather than carry text: a repeat replaces, never appends.</summary>
    private static readonly FrozenSet<string> Identity = new[] { "index", "id", "type", "role", "name" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The completion the chunks add up to, with the stamp's id and created and (unless asked not to) the usage marked as cached.</summary>
    /// <param name="chat">A chat completion (<c>chat.completion</c>, choices with a <c>message</c>); otherwise a text completion.</param>
    /// <param name="markCached">Whether the usage is marked as served from cache (a replay), or kept as the provider reported it (the request log).</param>
    /// <exception cref="JsonException">a chunk is not JSON.</exception>
    public static byte[] Assemble(IReadOnlyList<byte[]> chunks, bool chat, ReplayStamp stamp, bool markCached = true)
    {
        var top = new ObjectPart();
        var choices = new SortedDictionary<int, Choice>();
        byte[]? usage = null;
        foreach (var payload in chunks)
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = JsonMembers.MaxDepth });
            var chunk = document.RootElement;
            if (chunk.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var member in chunk.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "id" or "created" or "object" or "obfuscation":
                        // The stamp's, the answer's own object name, and stream-only padding.
                        break;
                    case "choices" when member.Value.ValueKind == JsonValueKind.Array:
                        var position = 0;
                        foreach (var choice in member.Value.EnumerateArray())
                        {
                            if (choice.ValueKind == JsonValueKind.Object)
                            {
                                var index = choice.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
                                if (!choices.TryGetValue(index, out var state))
                                {
                                    choices[index] = state = new Choice(chat);
                                }

                                state.Add(choice);
                            }

                            position++;
                        }

                        break;
                    case "usage" when member.Value.ValueKind == JsonValueKind.Object:
                        usage = Raw(member.Value);
                        break;
                    case "choices" or "usage":
                        break;
                    default:
                        top.SetLatest(member.Name, member.Value);
                        break;
                }
            }
        }

        return CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", stamp.Id);
            json.WriteString("object", chat ? "chat.completion" : "text_completion");
            json.WriteNumber("created", stamp.Created);
            top.WriteMembers(json);
            json.WriteStartArray("choices");
            foreach (var (index, choice) in choices)
            {
                choice.Write(json, index);
            }

            json.WriteEndArray();
            if (usage is not null)
            {
                json.WritePropertyName("usage");
                json.WriteRawValue((markCached ? CachedUsage.Mark(usage) : null) ?? usage, skipInputValidation: true);
            }

            json.WriteEndObject();
        }, chunks.Sum(chunk => chunk.Length) / 2 + 256);
    }

    private static byte[] Raw(JsonElement value) => JsonMarshal.GetRawUtf8Value(value).ToArray();

    /// <summary>Everything the chunks said about one choice: a chat choice's deltas, or a text completion's text.</summary>
    private sealed class Choice(bool chat)
    {
        private readonly ObjectPart _message = new();
        private readonly StringBuilder _text = new();
        private readonly ObjectPart _others = new();
        private Part? _logprobs;
        private byte[]? _finishReason;

        public void Add(JsonElement choice)
        {
            foreach (var member in choice.EnumerateObject())
            {
                var value = member.Value;
                switch (member.Name)
                {
                    case "index":
                        break;
                    case "delta" when chat:
                        if (value.ValueKind == JsonValueKind.Object)
                        {
                            _message.Merge(value);
                        }

                        break;
                    case "text" when !chat:
                        if (value.ValueKind == JsonValueKind.String)
                        {
                            _text.Append(value.GetString());
                        }

                        break;
                    case "logprobs" when value.ValueKind != JsonValueKind.Null:
                        _logprobs = _logprobs is null ? Part.From(value) : Part.Combine("logprobs", _logprobs, value);
                        break;
                    case "finish_reason" when value.ValueKind != JsonValueKind.Null:
                        _finishReason = Raw(value);
                        break;
                    case "logprobs" or "finish_reason":
                        break;
                    default:
                        _others.SetLatest(member.Name, value);
                        break;
                }
            }
        }

        public void Write(Utf8JsonWriter json, int index)
        {
            json.WriteStartObject();
            if (chat)
            {
                json.WriteNumber("index", index);
                json.WritePropertyName("message");
                WriteMessage(json);
            }
            else
            {
                json.WriteString("text", _text.ToString());
                json.WriteNumber("index", index);
            }

            json.WritePropertyName("logprobs");
            if (_logprobs is null)
            {
                json.WriteNullValue();
            }
            else
            {
                _logprobs.Write(json);
            }

            json.WritePropertyName("finish_reason");
            json.WriteRawValue(_finishReason ?? "null"u8.ToArray(), skipInputValidation: true);
            _others.WriteMembers(json);
            json.WriteEndObject();
        }

        /// <summary>
        /// The assistant message: its role and content first, as OpenAI writes them, and always (<c>"content":null</c>
        /// for a message of tool calls only); tool calls in index order without their stream index.
        /// </summary>
        private void WriteMessage(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            WriteMember(json, "role", _message.Get("role") ?? new TextPart("assistant"));
            WriteMember(json, "content", _message.Get("content") ?? new RawPart("null"u8.ToArray()));
            foreach (var (name, part) in _message.Members)
            {
                if (name is not ("role" or "content"))
                {
                    WriteMember(json, name, part);
                }
            }

            json.WriteEndObject();
        }

        private static void WriteMember(Utf8JsonWriter json, string name, Part part)
        {
            json.WritePropertyName(name);
            if (name == "tool_calls" && part is ArrayPart calls)
            {
                json.WriteStartArray();
                foreach (var call in calls.Items.OrderBy(call => (call as ObjectPart)?.Index ?? int.MaxValue))
                {
                    if (call is ObjectPart members)
                    {
                        members.Write(json, skip: "index");
                    }
                    else
                    {
                        call.Write(json);
                    }
                }

                json.WriteEndArray();
            }
            else
            {
                part.Write(json);
            }
        }
    }

    /// <summary>An accumulated JSON value: strings grow in builders so a long answer is not copied once per chunk.</summary>
    private abstract class Part
    {
        public abstract void Write(Utf8JsonWriter json);

        public static Part From(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => ObjectPart.Of(value),
            JsonValueKind.Array => ArrayPart.Of(value),
            JsonValueKind.String => new TextPart(value.GetString()!),
            _ => new RawPart(Raw(value)),
        };

        /// <summary>
        /// A delta value joined onto what came before: objects merged, lists merged by <c>index</c> or appended,
        /// strings appended (identity fields replaced), anything else replaced.
        /// </summary>
        public static Part Combine(string name, Part current, JsonElement value)
        {
            switch (current, value.ValueKind)
            {
                case (ObjectPart members, JsonValueKind.Object):
                    members.Merge(value);
                    return members;
                case (ArrayPart items, JsonValueKind.Array):
                    items.Merge(value);
                    return items;
                case (TextPart text, JsonValueKind.String) when !Identity.Contains(name):
                    text.Text.Append(value.GetString());
                    return text;
                default:
                    return From(value);
            }
        }
    }

    private sealed class TextPart(string text) : Part
    {
        public StringBuilder Text { get; } = new(text);

        public override void Write(Utf8JsonWriter json) => json.WriteStringValue(Text.ToString());
    }

    /// <summary>A number, boolean or null, as its bytes.</summary>
    private sealed class RawPart(byte[] bytes) : Part
    {
        public bool IsNull => bytes.AsSpan().SequenceEqual("null"u8);

        public int? AsInt32 => Utf8Parser.TryParse(bytes, out int value, out var consumed) && consumed == bytes.Length ? value : null;

        public override void Write(Utf8JsonWriter json) => json.WriteRawValue(bytes, skipInputValidation: true);
    }

    private sealed class ArrayPart : Part
    {
        public List<Part> Items { get; } = [];

        public static ArrayPart Of(JsonElement array)
        {
            var part = new ArrayPart();
            foreach (var item in array.EnumerateArray())
            {
                part.Items.Add(From(item));
            }

            return part;
        }

        /// <summary>Objects carrying an <c>index</c> (tool calls) join the entry with that index; anything else is appended.</summary>
        public void Merge(JsonElement array)
        {
            foreach (var item in array.EnumerateArray())
            {
                var index = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : (int?)null;
                if (index is not null && Items.OfType<ObjectPart>().FirstOrDefault(entry => entry.Index == index) is { } entry)
                {
                    entry.Merge(item);
                }
                else
                {
                    Items.Add(From(item));
                }
            }
        }

        public override void Write(Utf8JsonWriter json)
        {
            json.WriteStartArray();
            foreach (var item in Items)
            {
                item.Write(json);
            }

            json.WriteEndArray();
        }
    }

    private sealed class ObjectPart : Part
    {
        public List<KeyValuePair<string, Part>> Members { get; } = [];

        public int? Index => Get("index") is RawPart raw ? raw.AsInt32 : null;

        public static ObjectPart Of(JsonElement value)
        {
            var part = new ObjectPart();
            part.Merge(value);
            return part;
        }

        public Part? Get(string name)
        {
            foreach (var (key, part) in Members)
            {
                if (key == name)
                {
                    return part;
                }
            }

            return null;
        }

        /// <summary>A delta merged in: a new member is taken as it is, a null never erases a value, the rest <see cref="Part.Combine"/>s.</summary>
        public void Merge(JsonElement delta)
        {
            foreach (var member in delta.EnumerateObject())
            {
                var at = IndexOf(member.Name);
                if (at < 0)
                {
                    Members.Add(new(member.Name, From(member.Value)));
                }
                else if (member.Value.ValueKind != JsonValueKind.Null)
                {
                    var current = Members[at].Value;
                    Members[at] = new(member.Name, current is RawPart { IsNull: true } ? From(member.Value) : Combine(member.Name, current, member.Value));
                }
            }
        }

        /// <summary>The value as the latest chunk gave it (a null keeps an earlier value), in the place it first appeared.</summary>
        public void SetLatest(string name, JsonElement value)
        {
            var at = IndexOf(name);
            if (at < 0)
            {
                Members.Add(new(name, From(value)));
            }
            else if (value.ValueKind != JsonValueKind.Null)
            {
                Members[at] = new(name, From(value));
            }
        }

        public void WriteMembers(Utf8JsonWriter json, string? skip = null)
        {
            foreach (var (name, part) in Members)
            {
                if (name != skip)
                {
                    json.WritePropertyName(name);
                    part.Write(json);
                }
            }
        }

        public void Write(Utf8JsonWriter json, string? skip)
        {
            json.WriteStartObject();
            WriteMembers(json, skip);
            json.WriteEndObject();
        }

        public override void Write(Utf8JsonWriter json) => Write(json, skip: null);

        private int IndexOf(string name)
        {
            for (var i = 0; i < Members.Count; i++)
            {
                if (Members[i].Key == name)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
