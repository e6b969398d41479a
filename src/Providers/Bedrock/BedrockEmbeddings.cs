using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Embeddings through InvokeModel, whose body is the model family's own: Cohere Embed (<c>cohere.embed-*</c>) takes a
/// batch, <c>{"texts":[…],"input_type":…}</c>; Amazon Titan (every other model id) takes one input,
/// <c>{"inputText":…,"dimensions":…}</c>. The adapter makes one HTTP request per call, so Titan serves one input per call.
/// </summary>
internal static class BedrockEmbeddings
{
    /// <summary>Cohere's <c>input_type</c> when the client gives none: OpenAI embeddings are usually stored and searched.</summary>
    public const string DefaultInputType = "search_document";

    public static bool IsCohere(string model) => model.Contains("cohere.embed", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="ProviderRequestException">the inputs are not strings, or several go to a one-input model.</exception>
    public static byte[] FromOpenAi(ReadOnlyMemory<byte> openAiBody, string model)
    {
        using var document = ConverseRequest.Parse(openAiBody);
        var root = document.RootElement;
        var inputs = Inputs(root);
        var dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number ? d : (JsonElement?)null;
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, ConverseRequest.WriterOptions))
        {
            writer.WriteStartObject();
            if (IsCohere(model))
            {
                writer.WriteStartArray("texts");
                foreach (var input in inputs)
                {
                    writer.WriteStringValue(input);
                }

                writer.WriteEndArray();
                writer.WriteString("input_type", root.TryGetProperty("input_type", out var inputType) && inputType.ValueKind == JsonValueKind.String
                    ? inputType.GetString()
                    : DefaultInputType);
                if (dimensions is { } cohereDimensions)
                {
                    // Embed v4 names it output_dimension; v3 has a fixed size and rejects it, as it should.
                    writer.WritePropertyName("output_dimension");
                    cohereDimensions.WriteTo(writer);
                }
            }
            else
            {
                if (inputs.Count != 1)
                {
                    throw new ProviderRequestException(
                        $"Amazon Titan embeddings take one input per request, and this one has {inputs.Count}; send them one at a time, or use a Cohere Embed model (cohere.embed-…) for batches.");
                }

                writer.WriteString("inputText", inputs[0]);
                if (dimensions is { } titanDimensions)
                {
                    writer.WritePropertyName("dimensions");
                    titanDimensions.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The InvokeModel answer as an OpenAI embedding list, floats or base64 as the request asked. Titan reports its
    /// token count (<c>inputTextTokenCount</c>); Cohere on Bedrock reports none in the body (only in a response header
    /// the adapter cannot see), so its usage is estimated at four characters per token, as Bedrock's own docs count.
    /// </summary>
    /// <exception cref="StreamProtocolException">the body is not an InvokeModel embeddings answer.</exception>
    public static byte[] ToOpenAi(ReadOnlySpan<byte> body, ReadOnlyMemory<byte> openAiRequest, string model)
    {
        List<string> inputs;
        bool base64;
        using (var request = ConverseRequest.Parse(openAiRequest))
        {
            inputs = Inputs(request.RootElement);
            base64 = request.RootElement.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
        }

        using var document = ConverseResponse.ParseObject(body, "Bedrock's embeddings answer");
        var root = document.RootElement;
        var vectors = new List<JsonElement>();
        int promptTokens;
        if (root.TryGetProperty("embedding", out var single) && single.ValueKind == JsonValueKind.Array)
        {
            vectors.Add(single);
            promptTokens = root.TryGetProperty("inputTextTokenCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : 0;
        }
        else if (root.TryGetProperty("embeddings", out var batch))
        {
            // Cohere answers embeddings_floats ([[…]]) or, when embedding_types was given, embeddings_by_type ({"float":[[…]]}).
            var arrays = batch.ValueKind == JsonValueKind.Object && batch.TryGetProperty("float", out var floats) ? floats : batch;
            if (arrays.ValueKind != JsonValueKind.Array)
            {
                throw new StreamProtocolException("Bedrock's embeddings answer has no float embeddings");
            }

            vectors.AddRange(arrays.EnumerateArray());
            promptTokens = inputs.Sum(input => (input.Length + 3) / 4);
        }
        else
        {
            throw new StreamProtocolException("Bedrock's embeddings answer has neither 'embedding' nor 'embeddings'");
        }

        var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, ConverseRequest.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var index = 0; index < vectors.Count; index++)
            {
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", index);
                writer.WritePropertyName("embedding");
                if (base64)
                {
                    writer.WriteStringValue(Base64(vectors[index]));
                }
                else
                {
                    vectors[index].WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", model);
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", promptTokens);
            writer.WriteNumber("total_tokens", promptTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

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

        if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String))
        {
            return [.. input.EnumerateArray().Select(item => item.GetString()!)];
        }

        throw new ProviderRequestException("Bedrock embeddings take 'input' as a string or an array of strings (token ids cannot be sent).");
    }

    /// <summary>Little-endian float32, as OpenAI encodes <c>encoding_format: "base64"</c>.</summary>
    private static string Base64(JsonElement vector)
    {
        var bytes = new byte[vector.GetArrayLength() * sizeof(float)];
        var offset = 0;
        foreach (var value in vector.EnumerateArray())
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(offset), value.GetSingle());
            offset += sizeof(float);
        }

        return Convert.ToBase64String(bytes);
    }
}
