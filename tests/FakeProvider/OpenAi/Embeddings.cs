using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>
/// POST <c>.../embeddings</c>: unit vectors derived from a stable hash of each input, so equal
/// inputs get equal vectors in every run and caches keyed on them can be tested.
/// </summary>
internal static class Embeddings
{
    public const int DefaultDimensions = 8;
    public const int MaxDimensions = 65_536;

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await OpenAiRequest.OpenAsync(context, exchange, hasBody: true);
        if (request is null)
        {
            return;
        }

        if (!request.Body.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            await OpenAiErrors.WriteInvalidRequestAsync(context, "Missing required parameter: 'input'.", "input", "missing_required_parameter");
            return;
        }

        if (!TryReadInputs(request, input, out var inputs)
            || !request.TryReadInt("dimensions", 1, MaxDimensions, out var dimensions)
            || !TryReadBase64(request, out var base64))
        {
            await request.RejectAsync(context);
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            for (var index = 0; index < inputs.Count; index++)
            {
                var vector = Vector(faults.EmbedAs ?? inputs[index].Seed, dimensions ?? DefaultDimensions);
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", index);
                if (base64)
                {
                    json.WriteString("embedding", Base64(vector));
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        json.WriteNumberValue(value);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", request.Model);
            var promptTokens = inputs.Sum(item => item.Tokens);
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", promptTokens);
            json.WriteNumber("total_tokens", promptTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, body, faults.Malformed, exchange.Cancellation);
    }

    /// <summary>Values in [-1, 1) from the input's hash and the component index, scaled to unit length.</summary>
    public static float[] Vector(string seedText, int dimensions)
    {
        var seed = StableHash.Of(seedText);
        var raw = new double[dimensions];
        var sumOfSquares = 0.0;
        for (var i = 0; i < dimensions; i++)
        {
            raw[i] = ((StableHash.Mix(seed, (ulong)i) >> 11) * (1.0 / (1UL << 53) * 2)) - 1;
            sumOfSquares += raw[i] * raw[i];
        }

        var length = sumOfSquares > 0 ? Math.Sqrt(sumOfSquares) : 1;
        return [.. raw.Select(value => (float)(value / length))];
    }

    /// <summary>Little-endian float32, as OpenAI encodes <c>encoding_format: "base64"</c>.</summary>
    private static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// An input is a string, an array of strings, an array of token ids or an array of such
    /// arrays. A string counts ceil(chars / 4) tokens; a token array counts its length.
    /// </summary>
    private static bool TryReadInputs(OpenAiRequest request, JsonElement input, out List<EmbeddingInput> inputs)
    {
        inputs = [];
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(EmbeddingInput.FromText(input.GetString()!));
            return true;
        }

        if (input.ValueKind != JsonValueKind.Array || input.GetArrayLength() == 0)
        {
            return Invalid(request);
        }

        var first = input[0].ValueKind;
        if (first == JsonValueKind.Number)
        {
            if (!TryReadTokens(input, out var tokens))
            {
                return Invalid(request);
            }

            inputs.Add(tokens);
            return true;
        }

        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && first == JsonValueKind.String)
            {
                inputs.Add(EmbeddingInput.FromText(item.GetString()!));
            }
            else if (item.ValueKind == JsonValueKind.Array && first == JsonValueKind.Array && item.GetArrayLength() > 0 && TryReadTokens(item, out var tokens))
            {
                inputs.Add(tokens);
            }
            else
            {
                return Invalid(request);
            }
        }

        return true;
    }

    private static bool TryReadTokens(JsonElement array, out EmbeddingInput input)
    {
        input = default;
        var tokens = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var token) || token < 0)
            {
                return false;
            }

            tokens.Add(token.ToString(CultureInfo.InvariantCulture));
        }

        input = new EmbeddingInput(string.Join(',', tokens), tokens.Count);
        return true;
    }

    private static bool Invalid(OpenAiRequest request) => request.Refuse(
        "Invalid 'input': expected a string, an array of strings, an array of token ids or an array of token id arrays, not empty.",
        "input",
        "invalid_value");

    private static bool TryReadBase64(OpenAiRequest request, out bool base64)
    {
        base64 = false;
        if (!request.Body.TryGetProperty("encoding_format", out var format) || format.ValueKind == JsonValueKind.Null || format.ValueEquals("float"))
        {
            return true;
        }

        if (format.ValueEquals("base64"))
        {
            base64 = true;
            return true;
        }

        return request.Refuse("Invalid 'encoding_format': expected 'float' or 'base64'.", "encoding_format", "invalid_value");
    }

    private readonly record struct EmbeddingInput(string Seed, int Tokens)
    {
        public static EmbeddingInput FromText(string text) => new(text, TokenEstimate.ForText(text));
    }
}
