using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers.Json;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// A stream's chunks assembled into the one JSON answer they add up to, as an OpenAI SDK's stream accumulator does:
/// per choice (by its <c>index</c>), delta strings concatenated (content, refusal, and whatever reasoning field the
/// provider used: <c>reasoning_content</c>, <c>reasoning</c>), tool calls merged by their <c>index</c> with id, type and
/// name kept and arguments concatenated, <c>logprobs</c> lists joined, the last finish reason; top-level fields (model,
/// system_fingerprint, …) as the chunks last gave them, and the usage. A text completion's <c>text</c> is joined the
/// same way. The relay adds each chunk as it passes (for the request log); a stored stream is assembled at once
/// (<see cref="Assemble"/>) to serve it as JSON.
/// </summary>
/// <remarks>
/// One forward pass of a <see cref="Utf8JsonReader"/> per chunk, with no document built, and that pass is also the
/// relay's check of the chunk (<see cref="Add"/> answers what <see cref="UsageReader.Scan"/> would), so a logged stream
/// reads each chunk once. Text is kept as unescaped UTF-8 and written once; a value a chunk repeats unchanged (the
/// model, the fingerprint) is compared as bytes and not copied again.
/// </remarks>
/// <param name="chat">A chat completion (<c>chat.completion</c>, choices with a <c>message</c>); otherwise a text completion.</param>
internal sealed class StreamAssembly(bool chat)
{
    private readonly ObjectPart _top = new();
    private readonly SortedDictionary<int, ChoicePart> _choices = [];
    private byte[]? _usage;
    private long _chunkBytes;

    /// <summary>Chunks added that were JSON.</summary>
    public int Count { get; private set; }

    /// <summary>The first chunk's <c>id</c> and <c>created</c>: the stream's own, which the request log keeps.</summary>
    public ReplayStamp FirstStamp { get; private set; } = new("", 0);

    /// <summary>About how many bytes the assembly holds: its text and kept values, not the chunks it read.</summary>
    public long HeldBytes => _top.Bytes + (_usage?.Length ?? 0) + _choices.Values.Sum(choice => choice.Bytes);

    /// <summary>The completion the chunks add up to, with the stamp's id and created and (unless asked not to) the usage marked as cached.</summary>
    /// <param name="markCached">Whether the usage is marked as served from cache (a replay), or kept as the provider reported it (the request log).</param>
    /// <exception cref="JsonException">a chunk is not JSON.</exception>
    public static byte[] Assemble(IReadOnlyList<byte[]> chunks, bool chat, ReplayStamp stamp, bool markCached = true)
    {
        var assembly = new StreamAssembly(chat);
        foreach (var chunk in chunks)
        {
            if (!assembly.Add(chunk).IsJson)
            {
                throw new JsonException("A stream chunk is not one JSON value.");
            }
        }

        return assembly.Write(stamp, markCached);
    }

    /// <summary>
    /// Adds one chunk, in one pass that also answers what the relay checks of every chunk: whether it is one JSON value,
    /// its top-level usage, and whether it is the usage-only chunk (<c>choices</c> empty or absent). A chunk that is not
    /// JSON adds what was read of it before the fault and answers <see cref="ChunkScan.IsJson"/> false.
    /// </summary>
    public ChunkScan Add(ReadOnlySpan<byte> chunk)
    {
        var reader = new Utf8JsonReader(chunk, new JsonReaderOptions { MaxDepth = JsonMembers.MaxDepth });
        try
        {
            if (!reader.Read())
            {
                return default;
            }

            TokenUsage? usage = null;
            var choicesEmpty = true;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                (usage, choicesEmpty) = ReadChunk(ref reader, chunk, Count == 0);
            }
            else
            {
                reader.Skip();
            }

            if (reader.Read())
            {
                return default; // more than one value
            }

            Count++;
            _chunkBytes += chunk.Length;
            return new ChunkScan(true, usage, usage is not null && choicesEmpty);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>The answer so far, with the stamp's id and created and (unless asked not to) the usage marked as cached.</summary>
    /// <param name="markCached">Whether the usage is marked as served from cache (a replay), or kept as the provider reported it (the request log).</param>
    public byte[] Write(ReplayStamp stamp, bool markCached) => CompactJson.Write(
        json =>
        {
            json.WriteStartObject();
            json.WriteString("id"u8, stamp.Id);
            json.WriteString("object"u8, chat ? "chat.completion"u8 : "text_completion"u8);
            json.WriteNumber("created"u8, stamp.Created);
            _top.WriteMembers(json);
            json.WriteStartArray("choices"u8);
            foreach (var (index, choice) in _choices)
            {
                choice.Write(json, index);
            }

            json.WriteEndArray();
            if (_usage is not null)
            {
                json.WritePropertyName("usage"u8);
                json.WriteRawValue((markCached ? CachedUsage.Mark(_usage) : null) ?? _usage, skipInputValidation: true);
            }

            json.WriteEndObject();
        },
        (int)Math.Min(256 + (_chunkBytes / 4), 1 << 20));

    /// <summary>One chunk's members, the reader on its start; leaves it on its end. Returns its usage and whether its choices were empty or absent.</summary>
    private (TokenUsage? Usage, bool ChoicesEmpty) ReadChunk(ref Utf8JsonReader reader, ReadOnlySpan<byte> chunk, bool first)
    {
        TokenUsage? usage = null;
        var choicesEmpty = true;
        string? id = null;
        long created = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8) || reader.ValueTextEquals("created"u8))
            {
                // The stamp's; the first chunk's are the stream's own.
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (first && isId && reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else if (first && !isId && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds))
                {
                    created = seconds;
                }

                reader.Skip();
            }
            else if (reader.ValueTextEquals("object"u8) || reader.ValueTextEquals("obfuscation"u8))
            {
                // The answer's own object name, and stream-only padding.
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                choicesEmpty = reader.TokenType == JsonTokenType.StartArray && ReadChoices(ref reader, chunk) == 0;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = checked((int)reader.TokenStartIndex);
                    usage = UsageReader.ReadUsage(ref reader);
                    _usage = chunk[start..checked((int)reader.BytesConsumed)].ToArray();
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                _top.SetLatest(ref reader, chunk);
            }
        }

        if (first)
        {
            FirstStamp = new ReplayStamp(id ?? "", created);
        }

        return (usage, choicesEmpty);
    }

    /// <summary>The choices of one chunk (the reader on the array's start, left on its end); returns how many there were.</summary>
    private int ReadChoices(ref Utf8JsonReader reader, ReadOnlySpan<byte> chunk)
    {
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                var index = Json.IndexOf(reader) ?? position;
                if (!_choices.TryGetValue(index, out var choice))
                {
                    _choices[index] = choice = new ChoicePart(chat);
                }

                choice.Add(ref reader, chunk);
            }
            else
            {
                reader.Skip();
            }

            position++;
        }

        return position;
    }

    /// <summary>Reading helpers over a <see cref="Utf8JsonReader"/> and the chunk it reads.</summary>
    private static class Json
    {
        /// <summary>The raw JSON of the value the reader is on (moved to its end), as a slice of <paramref name="payload"/>.</summary>
        public static ReadOnlySpan<byte> RawValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            var start = checked((int)reader.TokenStartIndex);
            reader.Skip();
            return payload[start..checked((int)reader.BytesConsumed)];
        }

        /// <summary>The <c>index</c> member of the object the reader is on, read ahead on a copy (the reader does not move).</summary>
        public static int? IndexOf(Utf8JsonReader probe)
        {
            var depth = probe.CurrentDepth;
            while (probe.Read() && probe.CurrentDepth > depth)
            {
                if (probe.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var isIndex = probe.ValueTextEquals("index"u8);
                probe.Read();
                if (isIndex)
                {
                    return probe.TokenType == JsonTokenType.Number && probe.TryGetInt32(out var index) ? index : null;
                }

                probe.Skip();
            }

            return null;
        }

        /// <summary>Appends the string the reader is on, unescaped, as UTF-8.</summary>
        public static void AppendString(ref Utf8JsonReader reader, ArrayBufferWriter<byte> text)
        {
            // A chunk is one span, never a sequence; unescaping only shortens a string.
            if (reader.ValueIsEscaped)
            {
                text.Advance(reader.CopyString(text.GetSpan(reader.ValueSpan.Length)));
            }
            else
            {
                text.Write(reader.ValueSpan);
            }
        }

        /// <summary>The property name the reader is on, as UTF-8 bytes.</summary>
        public static byte[] Name(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                return reader.ValueSpan.ToArray();
            }

            var buffer = new ArrayBufferWriter<byte>(reader.ValueSpan.Length);
            AppendString(ref reader, buffer);
            return buffer.WrittenSpan.ToArray();
        }
    }

    /// <summary>An accumulated JSON value.</summary>
    private abstract class Part
    {
        /// <summary>Delta fields that name or place a thing rather than carry text: a repeat replaces, never appends.</summary>
        private static readonly byte[][] Identity = ["index"u8.ToArray(), "id"u8.ToArray(), "type"u8.ToArray(), "role"u8.ToArray(), "name"u8.ToArray()];

        /// <summary>About how many bytes the value holds.</summary>
        public abstract long Bytes { get; }

        public abstract void Write(Utf8JsonWriter json);

        /// <summary>The value the reader is on, read whole (the reader left on its end).</summary>
        public static Part Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var members = new ObjectPart();
                    members.Merge(ref reader, payload);
                    return members;
                case JsonTokenType.StartArray:
                    var items = new ArrayPart();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Items.Add(Read(ref reader, payload));
                    }

                    return items;
                case JsonTokenType.String:
                    var text = new TextPart();
                    Json.AppendString(ref reader, text.Utf8);
                    return text;
                default:
                    return new RawPart(reader.ValueSpan.ToArray());
            }
        }

        /// <summary>
        /// A delta value joined onto what came before: objects merged, lists merged by <c>index</c> or appended,
        /// strings appended (identity fields replaced), anything else replaced.
        /// </summary>
        public static Part Combine(ReadOnlySpan<byte> name, Part current, ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            switch (current, reader.TokenType)
            {
                case (ObjectPart members, JsonTokenType.StartObject):
                    members.Merge(ref reader, payload);
                    return members;
                case (ArrayPart items, JsonTokenType.StartArray):
                    items.Merge(ref reader, payload);
                    return items;
                case (TextPart text, JsonTokenType.String) when !IsIdentity(name):
                    Json.AppendString(ref reader, text.Utf8);
                    return text;
                default:
                    return Read(ref reader, payload);
            }
        }

        private static bool IsIdentity(ReadOnlySpan<byte> name)
        {
            foreach (var identity in Identity)
            {
                if (name.SequenceEqual(identity))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A string, kept as unescaped UTF-8 so appending never re-encodes it.</summary>
    private sealed class TextPart : Part
    {
        public ArrayBufferWriter<byte> Utf8 { get; } = new(64);

        public override long Bytes => Utf8.Capacity;

        public override void Write(Utf8JsonWriter json) => json.WriteStringValue(Utf8.WrittenSpan);
    }

    /// <summary>A value written as the provider wrote it: a number, boolean or null, or a value kept as the latest.</summary>
    private sealed class RawPart(byte[] json) : Part
    {
        public static readonly RawPart Null = new("null"u8.ToArray());

        public byte[] Json { get; } = json;

        public override long Bytes => Json.Length;

        public bool IsNull => Json.AsSpan().SequenceEqual("null"u8);

        public int? AsInt32 => Utf8Parser.TryParse(Json, out int value, out var consumed) && consumed == Json.Length ? value : null;

        public override void Write(Utf8JsonWriter json) => json.WriteRawValue(Json, skipInputValidation: true);
    }

    private sealed class ArrayPart : Part
    {
        public List<Part> Items { get; } = [];

        public override long Bytes => Items.Sum(item => item.Bytes);

        /// <summary>Objects carrying an <c>index</c> (tool calls) join the entry with that index; anything else is appended.</summary>
        public void Merge(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject && Json.IndexOf(reader) is { } index && Find(index) is { } entry)
                {
                    entry.Merge(ref reader, payload);
                }
                else
                {
                    Items.Add(Read(ref reader, payload));
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

        private ObjectPart? Find(int index)
        {
            foreach (var item in Items)
            {
                if (item is ObjectPart entry && entry.Index == index)
                {
                    return entry;
                }
            }

            return null;
        }
    }

    private sealed class ObjectPart : Part
    {
        public List<(byte[] Name, Part Value)> Members { get; } = [];

        public override long Bytes => Members.Sum(member => member.Name.Length + member.Value.Bytes);

        public int? Index => Get("index"u8) is RawPart raw ? raw.AsInt32 : null;

        public Part? Get(ReadOnlySpan<byte> name)
        {
            var at = IndexOf(name);
            return at < 0 ? null : Members[at].Value;
        }

        /// <summary>A delta merged in (the reader on its start, left on its end): a new member is taken as it is, a null never erases a value, the rest <see cref="Part.Combine"/>s.</summary>
        public void Merge(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var at = Find(ref reader);
                if (at < 0)
                {
                    var name = Json.Name(ref reader);
                    reader.Read();
                    Members.Add((name, Read(ref reader, payload)));
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    var (name, current) = Members[at];
                    Members[at] = (name, current is RawPart { IsNull: true } ? Read(ref reader, payload) : Combine(name, current, ref reader, payload));
                }
            }
        }

        /// <summary>
        /// The value (the reader on its name, left on its value's end) as the latest chunk gave it, in the place it first
        /// appeared; a null keeps an earlier value, and a value the same as before is not copied again.
        /// </summary>
        public void SetLatest(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            var at = Find(ref reader);
            var name = at < 0 ? Json.Name(ref reader) : Members[at].Name;
            reader.Read();
            var isNull = reader.TokenType == JsonTokenType.Null;
            var raw = Json.RawValue(ref reader, payload);
            if (at < 0)
            {
                Members.Add((name, isNull ? RawPart.Null : new RawPart(raw.ToArray())));
            }
            else if (!isNull && !(Members[at].Value is RawPart current && current.Json.AsSpan().SequenceEqual(raw)))
            {
                Members[at] = (name, new RawPart(raw.ToArray()));
            }
        }

        public void WriteMembers(Utf8JsonWriter json, ReadOnlySpan<byte> skip = default)
        {
            foreach (var (name, part) in Members)
            {
                if (skip.IsEmpty || !name.AsSpan().SequenceEqual(skip))
                {
                    json.WritePropertyName(name);
                    part.Write(json);
                }
            }
        }

        public void Write(Utf8JsonWriter json, ReadOnlySpan<byte> skip)
        {
            json.WriteStartObject();
            WriteMembers(json, skip);
            json.WriteEndObject();
        }

        public override void Write(Utf8JsonWriter json) => Write(json, skip: default);

        /// <summary>The member named by the property the reader is on, or -1.</summary>
        private int Find(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < Members.Count; i++)
            {
                if (reader.ValueTextEquals(Members[i].Name))
                {
                    return i;
                }
            }

            return -1;
        }

        private int IndexOf(ReadOnlySpan<byte> name)
        {
            for (var i = 0; i < Members.Count; i++)
            {
                if (name.SequenceEqual(Members[i].Name))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Everything the chunks said about one choice: a chat choice's deltas, or a text completion's text.</summary>
    private sealed class ChoicePart(bool chat)
    {
        private readonly ObjectPart _message = new();
        private readonly ArrayBufferWriter<byte> _text = new(256);
        private readonly ObjectPart _others = new();
        private Part? _logprobs;
        private byte[]? _finishReason;

        public long Bytes => _message.Bytes + _text.Capacity + _others.Bytes + (_logprobs?.Bytes ?? 0) + (_finishReason?.Length ?? 0);

        /// <summary>One chunk's entry for this choice, the reader on its start; leaves it on its end.</summary>
        public void Add(ref Utf8JsonReader reader, ReadOnlySpan<byte> payload)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    reader.Skip();
                }
                else if (chat && reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        _message.Merge(ref reader, payload);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (!chat && reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        Json.AppendString(ref reader, _text);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("logprobs"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        _logprobs = _logprobs is null ? Part.Read(ref reader, payload) : Part.Combine("logprobs"u8, _logprobs, ref reader, payload);
                    }
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        _finishReason = Json.RawValue(ref reader, payload).ToArray();
                    }
                }
                else
                {
                    _others.SetLatest(ref reader, payload);
                }
            }
        }

        public void Write(Utf8JsonWriter json, int index)
        {
            json.WriteStartObject();
            if (chat)
            {
                json.WriteNumber("index"u8, index);
                json.WritePropertyName("message"u8);
                WriteMessage(json);
            }
            else
            {
                json.WriteString("text"u8, _text.WrittenSpan);
                json.WriteNumber("index"u8, index);
            }

            json.WritePropertyName("logprobs"u8);
            if (_logprobs is null)
            {
                json.WriteNullValue();
            }
            else
            {
                _logprobs.Write(json);
            }

            json.WritePropertyName("finish_reason"u8);
            json.WriteRawValue(_finishReason ?? RawPart.Null.Json, skipInputValidation: true);
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
            json.WritePropertyName("role"u8);
            if (_message.Get("role"u8) is { } role)
            {
                role.Write(json);
            }
            else
            {
                json.WriteStringValue("assistant"u8);
            }

            json.WritePropertyName("content"u8);
            (_message.Get("content"u8) ?? RawPart.Null).Write(json);
            foreach (var (name, part) in _message.Members)
            {
                if (name.AsSpan().SequenceEqual("role"u8) || name.AsSpan().SequenceEqual("content"u8))
                {
                    continue;
                }

                json.WritePropertyName(name);
                if (name.AsSpan().SequenceEqual("tool_calls"u8) && part is ArrayPart calls)
                {
                    json.WriteStartArray();
                    foreach (var call in calls.Items.OrderBy(call => (call as ObjectPart)?.Index ?? int.MaxValue))
                    {
                        if (call is ObjectPart members)
                        {
                            members.Write(json, skip: "index"u8);
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

            json.WriteEndObject();
        }
    }
}
