using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchyard.Providers.Cohere;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Embeddings through InvokeModel, whose body is the model family's own: Cohere Embed (<c>cohere.embed-*</c>) takes a
/// batch, <c>{"texts":[…],"input_type":…}</c>; Amazon Titan (every other model id) takes one input,
/// <c>{"inputText":…,"dimensions":…}</c>. The adapter makes one HTTP request per call, so Titan serves one input per call.
/// </summary>
internal static class BedrockEmbeddings
{
    /// <summary>InvokeModel's count of the input tokens, the one Bedrock bills; the only count Cohere Embed on Bedrock gives.</summary>
    public const string InputTokenCountHeader = "X-Amzn-Bedrock-Input-Token-Count";

    public static bool IsCohere(string model) => model.Contains("cohere.embed", StringComparison.OrdinalIgnoreCase);

    /// <exception cref="ProviderRequestException">the inputs are not strings, or several go to a one-input model.</exception>
    public static byte[] FromOpenAi(ReadOnlyMemory<byte> openAiBody, string model)
    {
        using var document = ProviderJson.ParseRequest(openAiBody);
        var root = document.RootElement;
        var inputs = OpenAiRequestReader.EmbeddingInputs(root, "Bedrock");
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, CompactJson.Options))
        {
            writer.WriteStartObject();
            if (IsCohere(model))
            {
                // Bedrock answers Cohere's floats without being asked, as embeddings_floats.
                CohereEmbeddings.WriteEmbedFields(writer, root, inputs, askForFloats: false);
            }
            else
            {
                if (inputs.Count != 1)
                {
                    throw new ProviderRequestException(
                        $"Amazon Titan embeddings take one input per request, and this one has {inputs.Count}; send them one at a time, or use a Cohere Embed model (cohere.embed-…) for batches.");
                }

                writer.WriteString("inputText", inputs[0]);
                if (root.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind == JsonValueKind.Number)
                {
                    writer.WritePropertyName("dimensions");
                    dimensions.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <see cref="InputTokenCountHeader"/> count, or null when it is missing or not a count.</summary>
    public static int? ReportedTokens(ProviderResponseHeaders headers) =>
        int.TryParse(headers[InputTokenCountHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) ? tokens : null;

    /// <summary>
    /// The InvokeModel answer as an OpenAI embedding list, floats or base64 as the request asked. Prompt tokens are
    /// Bedrock's own count from the <see cref="InputTokenCountHeader"/> header when it sent one; else Titan's
    /// <c>inputTextTokenCount</c>, or for Cohere (whose body has no count) an estimate at four characters per token.
    /// </summary>
    /// <param name="reportedTokens">The header's count, when there is one.</param>
    /// <exception cref="StreamProtocolException">the body is not an InvokeModel embeddings answer.</exception>
    public static byte[] ToOpenAi(ReadOnlySpan<byte> body, ReadOnlyMemory<byte> openAiRequest, string model, int? reportedTokens = null)
    {
        var (inputs, base64) = OpenAiRequestReader.EmbeddingsAsked(openAiRequest, "Bedrock");

        using var document = ProviderJson.ParseObject(body.ToArray(), default, BedrockResponseTranslator.NotAnObject, "Bedrock's embeddings answer");
        var root = document.RootElement;
        var vectors = new List<JsonElement>();
        int promptTokens;
        if (root.TryGetProperty("embedding", out var single) && single.ValueKind == JsonValueKind.Array)
        {
            vectors.Add(single);
            promptTokens = reportedTokens ?? (root.TryGetProperty("inputTextTokenCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : 0);
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
            promptTokens = reportedTokens ?? OpenAiEmbeddingList.EstimateTokens(inputs);
        }
        else
        {
            throw new StreamProtocolException("Bedrock's embeddings answer has neither 'embedding' nor 'embeddings'");
        }

        return OpenAiEmbeddingList.Write(vectors, base64, model, promptTokens, body.Length + 256);
    }
}
