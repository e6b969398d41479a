using System.Text.Json;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.OpenAi;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Gemini;

/// <summary>
/// POST <c>…/models/{model}:batchEmbedContents</c>: one vector per request, the same vector the OpenAI format gives for
/// the same text (<see cref="Embeddings.Vector"/>), <c>outputDimensionality</c> entries long (default 8). Like Gemini,
/// it reports no token usage.
/// </summary>
internal static class BatchEmbedContents
{
    public const string Method = ":batchEmbedContents";

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await GeminiRequest.OpenAsync(context, exchange, Method);
        if (request is null)
        {
            return;
        }

        if (!TryReadRequests(request.Body, out var inputs, out var problem))
        {
            await GeminiErrors.WriteInvalidArgumentAsync(context, problem);
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
            json.WriteStartArray("embeddings");
            foreach (var (text, dimensions) in inputs)
            {
                json.WriteStartObject();
                json.WriteStartArray("values");
                foreach (var value in Embeddings.Vector(text, dimensions))
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, body, faults.Malformed, exchange.Cancellation);
    }

    /// <summary>Each request's text (its text parts joined by a space) and dimension count.</summary>
    private static bool TryReadRequests(JsonElement body, out List<(string Text, int Dimensions)> inputs, out string problem)
    {
        inputs = [];
        problem = "";
        if (!body.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
        {
            problem = "* BatchEmbedContentsRequest.requests: requests is not specified";
            return false;
        }

        var index = 0;
        foreach (var item in requests.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object
                || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
            {
                problem = $"* BatchEmbedContentsRequest.requests[{index}].content.parts: parts must not be empty";
                return false;
            }

            var texts = new List<string>();
            foreach (var part in parts.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    texts.Add(text.GetString()!);
                }
            }

            var dimensions = Embeddings.DefaultDimensions;
            if (item.TryGetProperty("outputDimensionality", out var requested)
                && (requested.ValueKind != JsonValueKind.Number || !requested.TryGetInt32(out dimensions) || dimensions < 1 || dimensions > Embeddings.MaxDimensions))
            {
                problem = $"* BatchEmbedContentsRequest.requests[{index}].output_dimensionality: must be from 1 to {Embeddings.MaxDimensions}";
                return false;
            }

            inputs.Add((string.Join(' ', texts), dimensions));
            index++;
        }

        return true;
    }
}
