using System.Buffers.Binary;
using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>OpenAI's embeddings answer, <c>{"object":"list","data":[{"object":"embedding","index",…}],"model","usage"}</c>.</summary>
internal static class OpenAiEmbeddingList
{
    /// <param name="vectors">The provider's arrays of numbers, in input order.</param>
    /// <param name="base64">The client asked for <c>encoding_format: "base64"</c>: each vector as little-endian float32, base64-encoded, as OpenAI sends it.</param>
    /// <param name="promptTokens">The input tokens, which are also the total: embeddings produce none.</param>
    public static byte[] Write(IReadOnlyList<JsonElement> vectors, bool base64, string model, int promptTokens, int sizeHint) => CompactJson.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var index = 0; index < vectors.Count; index++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", index);
            json.WritePropertyName("embedding");
            WriteVector(json, vectors[index], base64);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("total_tokens", promptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }, sizeHint);

    /// <summary>
    /// Prompt tokens for providers that report none: a token per four characters, rounded up, per input. It keeps budgets
    /// and logs meaningful; it is not what the provider bills.
    /// </summary>
    public static int EstimateTokens(List<string> inputs) => inputs.Sum(input => (input.Length + 3) / 4);

    /// <summary>The numbers as the provider wrote them (no float round trip), or the base64 of their float32 bytes.</summary>
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
}
