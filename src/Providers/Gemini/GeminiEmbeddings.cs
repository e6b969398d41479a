using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
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
        using var document = ProviderJson.ParseRequest(openAiBody, quoteReason: false);
        var root = document.RootElement;
        var inputs = OpenAiRequestReader.EmbeddingInputs(root, GeminiAdapter.Name);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 128);
        using (var json = new Utf8JsonWriter(buffer, CompactJson.Options))
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
                if (root.String("task_type") is { } taskType)
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
        var (inputs, base64) = OpenAiRequestReader.EmbeddingsAsked(openAiBody, GeminiAdapter.Name);

        using var document = ProviderJson.ParseAnswer(body, GeminiAdapter.Name);
        if (!document.RootElement.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Google Gemini answered an embeddings request without 'embeddings'");
        }

        var vectors = new List<JsonElement>(embeddings.GetArrayLength());
        foreach (var embedding in embeddings.EnumerateArray())
        {
            vectors.Add(embedding.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array
                ? values
                : throw new StreamProtocolException("Google Gemini sent an embedding without 'values'"));
        }

        return OpenAiEmbeddingList.Write(vectors, base64, model, OpenAiEmbeddingList.EstimateTokens(inputs), body.Length + 256);
    }
}
