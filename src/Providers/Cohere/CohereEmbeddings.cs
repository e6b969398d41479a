using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// OpenAI embeddings through Cohere's v2 <c>/embed</c>: the inputs as <c>texts</c>, float vectors asked for, and
/// <c>input_type</c> <c>search_document</c> (Cohere requires one for its v3+ models; a client can pick another with
/// Portkey's <c>input_type</c> body field). <c>dimensions</c> becomes <c>output_dimension</c> (embed-v4 and later).
/// </summary>
internal static class CohereEmbeddings
{
    /// <summary>Cohere's <c>input_type</c> when the client gives none: OpenAI embeddings are usually stored and searched.</summary>
    public const string DefaultInputType = "search_document";

    public static byte[] CreateRequest(ReadOnlyMemory<byte> openAiBody, string model)
    {
        using var document = ProviderJson.ParseRequest(openAiBody, quoteReason: false);
        var root = document.RootElement;
        var inputs = OpenAiRequestReader.EmbeddingInputs(root, CohereAdapter.Name);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 128);
        using (var json = new Utf8JsonWriter(buffer, CompactJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            WriteEmbedFields(json, root, inputs, askForFloats: true);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The fields of a Cohere Embed body after the model: <c>texts</c>, <c>input_type</c>, the <c>embedding_types</c> when
    /// asked for, and <c>output_dimension</c>. Cohere's own API and Cohere Embed on Bedrock take the same body.
    /// </summary>
    /// <param name="askForFloats">Send <c>"embedding_types":["float"]</c>, which makes Cohere answer <c>embeddings.float</c>.</param>
    public static void WriteEmbedFields(Utf8JsonWriter json, JsonElement openAiRoot, List<string> inputs, bool askForFloats)
    {
        json.WriteStartArray("texts");
        inputs.ForEach(json.WriteStringValue);
        json.WriteEndArray();
        json.WriteString("input_type", openAiRoot.String("input_type") ?? DefaultInputType);
        if (askForFloats)
        {
            json.WriteStartArray("embedding_types");
            json.WriteStringValue("float");
            json.WriteEndArray();
        }

        if (openAiRoot.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind == JsonValueKind.Number)
        {
            // Embed v4 names it output_dimension; v3 has a fixed size and rejects it, as it should.
            json.WritePropertyName("output_dimension");
            dimensions.WriteTo(json);
        }
    }

    public static byte[] TranslateResponse(ReadOnlySpan<byte> body, ReadOnlyMemory<byte> openAiBody, string model)
    {
        bool base64;
        using (var request = ProviderJson.ParseRequest(openAiBody, quoteReason: false))
        {
            base64 = OpenAiRequestReader.WantsBase64(request.RootElement);
        }

        using var document = ProviderJson.ParseAnswer(body, CohereAdapter.Name);
        var root = document.RootElement;
        if (!root.TryGetProperty("embeddings", out var embeddings) || embeddings.ValueKind != JsonValueKind.Object
            || !embeddings.TryGetProperty("float", out var floats) || floats.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Cohere answered an embeddings request without 'embeddings.float'");
        }

        var vectors = new List<JsonElement>(floats.GetArrayLength());
        foreach (var vector in floats.EnumerateArray())
        {
            vectors.Add(vector.ValueKind == JsonValueKind.Array ? vector : throw new StreamProtocolException("Cohere sent an embedding that is not an array of numbers"));
        }

        var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var billed = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("billed_units", out var b) ? b : default;
        return OpenAiEmbeddingList.Write(vectors, base64, model, CohereResponseTranslator.Count(billed, "input_tokens"), body.Length + 256);
    }
}
