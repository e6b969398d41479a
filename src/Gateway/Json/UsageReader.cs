using System.Text.Json;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Json;

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

    /// <summary>True for the extra chunk OpenAI sends when asked for stream usage: <c>choices</c> empty and <c>usage</c> set.</summary>
    public static bool IsUsageOnlyChunk(ReadOnlySpan<byte> utf8, out TokenUsage? usage)
    {
        usage = Read(utf8);
        if (usage is null)
        {
            return false;
        }

        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isChoices = reader.ValueTextEquals("choices"u8);
            reader.Read();
            if (isChoices)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                reader.Read();
                return reader.TokenType == JsonTokenType.EndArray;
            }

            reader.Skip();
        }

        return true;
    }

    private static TokenUsage ReadUsage(ref Utf8JsonReader reader)
    {
        int prompt = 0, completion = 0, total = 0;
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

        return new TokenUsage(prompt, completion, total == 0 ? prompt + completion : total);
    }
}
