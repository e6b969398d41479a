using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// OpenAI embeddings through Cohere's v2 <c>/embed</c>: the inputs as <c>texts</c>, float vectors asked for, and
/// <c>input_type</c> <c>search_document</c> (Cohere requires one for its v3+ models; a client can pick another with
/// Portkey's <c>input_type</c> body field). <c>dimensions</c> becomes <c>output_dimension</c> (embed-v4 and later).
/// </summary>
internal static class CohereEmbeddings
{
    public const string DefaultInputType = "search_document";

    public static byte[] CreateRequest(ReadOnlyMemory<byte> openAiBody, string model)
    {
        using var document = CohereChatRequest.Parse(openAiBody);
        var root = document.RootElement;
        var inputs = Inputs(root);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 128);
        using (var json = new Utf8JsonWriter(buffer, CohereAdapter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            json.WriteStartArray("texts");
            foreach (var input in inputs)
            {
                json.WriteStringValue(input);
            }

            json.WriteEndArray();
            json.WriteString("input_type", CohereChatRequest.String(root, "input_type") ?? DefaultInputType);
            json.WriteStartArray("embedding_types");
            json.WriteStringValue("float");
            json.WriteEndArray();
            if (root.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind == JsonValueKind.Number)
            {
                json.WritePropertyName("output_dimension");
                dimensions.WriteTo(json);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] TranslateResponse(ReadOnlySpan<byte> body, ReadOnlyMemory<byte> openAiBody, string model)
    {
        bool base64;
        using (var request = CohereChatRequest.Parse(openAiBody))
        {
            base64 = CohereChatRequest.String(request.RootElement, "encoding_format") == "base64";
        }

        using var document = CohereChatResponse.Parse(body);
        var root = document.RootElement;
        if (!root.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Object
            || !embeddings.TryGetProperty("float", out var vectors) || vectors.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Cohere answered an embeddings request without 'embeddings.float'");
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var json = new Utf8JsonWriter(buffer, CohereAdapter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            var index = 0;
            foreach (var vector in vectors.EnumerateArray())
            {
                if (vector.ValueKind != JsonValueKind.Array)
                {
                    throw new StreamProtocolException("Cohere sent an embedding that is not an array of numbers");
                }

                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", index++);
                json.WritePropertyName("embedding");
                WriteVector(json, vector, base64);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", model);
            var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var billed = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("billed_units", out var b) ? b : default;
            var tokens = CohereChatResponse.Count(billed, "input_tokens");
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", tokens);
            json.WriteNumber("total_tokens", tokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The numbers as Cohere wrote them, or OpenAI's base64 (little-endian float32) when the client asked for it.</summary>
    private static void WriteVector(Utf8JsonWriter json, JsonElement values, bool base64)
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

    /// <summary>OpenAI's <c>input</c>: a string or an array of strings. Token-id arrays cannot be sent to Cohere, which takes text.</summary>
    private static List<string> Inputs(JsonElement root)
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
                    throw new ProviderRequestException("'input' must be a string or an array of strings for Cohere; token ids are not accepted.");
                }

                inputs.Add(item.GetString()!);
            }
        }

        return inputs.Count > 0 ? inputs : throw new ProviderRequestException("'input' must be a non-empty string or array of strings.");
    }
}
