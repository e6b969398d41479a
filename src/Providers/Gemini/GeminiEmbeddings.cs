using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI embeddings through Gemini's <c>batchEmbedContents</c>: one request per input string. Gemini reports no token
/// counts for embeddings, so usage is an estimate (a token per four characters, rounded up, per input) that keeps
/// budgets and logs meaningful; it is not what Google bills.
/// </summary>
internal static class GeminiEmbeddings
{
    public static byte[] CreateRequest(ReadOnlyMemory<byte> openAiBody, string model)
    {
        using var document = GeminiChatRequest.Parse(openAiBody);
        var root = document.RootElement;
        var inputs = Inputs(root);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 128);
        using (var json = new Utf8JsonWriter(buffer, GeminiAdapter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("requests");
            foreach (var input in inputs)
            {
                json.WriteStartObject();
                json.WriteString("model", "models/" + model);
                json.WriteStartObject("content");
                json.WriteStartArray("parts");
                json.WriteStartObject();
                json.WriteString("text", input);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                if (root.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind == JsonValueKind.Number)
                {
                    json.WritePropertyName("outputDimensionality");
                    dimensions.WriteTo(json);
                }

                // Not OpenAI's, but Portkey passes it through: RETRIEVAL_QUERY, SEMANTIC_SIMILARITY, …
                if (GeminiChatRequest.String(root, "task_type") is { } taskType)
                {
                    json.WriteString("taskType", taskType);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] TranslateResponse(ReadOnlySpan<byte> body, ReadOnlyMemory<byte> openAiBody, string model)
    {
        List<string> inputs;
        bool base64;
        using (var request = GeminiChatRequest.Parse(openAiBody))
        {
            inputs = Inputs(request.RootElement);
            base64 = GeminiChatRequest.String(request.RootElement, "encoding_format") == "base64";
        }

        using var document = GeminiChatResponse.Parse(body);
        if (!document.RootElement.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Google Gemini answered an embeddings request without 'embeddings'");
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var json = new Utf8JsonWriter(buffer, GeminiAdapter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            var index = 0;
            foreach (var embedding in embeddings.EnumerateArray())
            {
                if (!embedding.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
                {
                    throw new StreamProtocolException("Google Gemini sent an embedding without 'values'");
                }

                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", index++);
                json.WritePropertyName("embedding");
                WriteVector(json, values, base64);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", model);
            var tokens = inputs.Sum(input => (input.Length + 3) / 4);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", tokens);
            json.WriteNumber("total_tokens", tokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The numbers as the provider wrote them, or OpenAI's base64 (little-endian float32) when the client asked for it.</summary>
    internal static void WriteVector(Utf8JsonWriter json, JsonElement values, bool base64)
    {
        if (!base64)
        {
            values.WriteTo(json);
            return;
        }

        var bytes = new byte[values.GetArrayLength() * sizeof(float)];
        var offset = 0;
        foreach (var value in values.EnumerateArray())
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), value.GetSingle());
            offset += sizeof(float);
        }

        json.WriteBase64StringValue(bytes);
    }

    /// <summary>OpenAI's <c>input</c>: a string or an array of strings. Token-id arrays cannot be sent to Gemini, which takes text.</summary>
    internal static List<string> Inputs(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input))
        {
            throw new ProviderRequestException("'input' is required.");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return [input.GetString()!];
        }

        var inputs = new List<string>();
        if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new ProviderRequestException("'input' must be a string or an array of strings for this provider; token ids are not accepted.");
                }

                inputs.Add(item.GetString()!);
            }
        }

        return inputs.Count > 0 ? inputs : throw new ProviderRequestException("'input' must be a non-empty string or array of strings.");
    }
}
