using System.Text.Json;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Answer;

/// <summary>Finds the top-level <c>usage</c> object of an OpenAI response or stream chunk without building a document.</summary>
internal static class UsageReader
{
    public static TokenUsage? Read(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage && reader.TokenType == JsonTokenType.StartObject)
                {
                    return ReadUsage(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>
    /// One pass over a stream chunk: whether it is JSON at all, its top-level <c>usage</c>, and whether it is the extra
    /// chunk OpenAI sends when asked for stream usage (<c>usage</c> set, <c>choices</c> empty or absent). A relay reads
    /// every chunk, so this replaces a validity check and two usage scans per chunk.
    /// </summary>
    public static ChunkScan Scan(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read())
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                return new ChunkScan(!reader.Read(), null, false);
            }

            TokenUsage? usage = null;
            var choicesEmpty = true;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                var isChoices = !isUsage && reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isUsage && reader.TokenType == JsonTokenType.StartObject)
                {
                    usage = ReadUsage(ref reader);
                    continue;
                }

                if (isChoices)
                {
                    var probe = reader;
                    choicesEmpty = reader.TokenType == JsonTokenType.StartArray && probe.Read() && probe.TokenType == JsonTokenType.EndArray;
                }

                reader.Skip();
            }

            return new ChunkScan(!reader.Read(), usage, usage is not null && choicesEmpty);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>A usage object's counts, the reader on its start; leaves it on its end.</summary>
    internal static TokenUsage ReadUsage(ref Utf8JsonReader reader)
    {
        int prompt = 0, completion = 0, total = 0, cached = 0, reasoning = 0;
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
            {
                continue;
            }

            ref var slot = ref prompt;
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                slot = ref prompt;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                slot = ref completion;
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                slot = ref total;
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                cached = ReadDetail(ref reader, "cached_tokens"u8);
                continue;
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                reasoning = ReadDetail(ref reader, "reasoning_tokens"u8);
                continue;
            }
            else
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                slot = value;
            }
        }

        return new TokenUsage(prompt, completion, total == 0 ? prompt + completion : total, cached, reasoning);
    }

    /// <summary>One count of a <c>*_tokens_details</c> object (the reader on its start); 0 when absent. Leaves the reader on its end.</summary>
    private static int ReadDetail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        var found = 0;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
            {
                var wanted = reader.ValueTextEquals(name);
                reader.Read();
                if (wanted && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                {
                    found = value;
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return found;
    }
}

/// <summary>What <see cref="UsageReader.Scan"/> found in one stream chunk.</summary>
internal readonly record struct ChunkScan(bool IsJson, TokenUsage? Usage, bool UsageOnly);
