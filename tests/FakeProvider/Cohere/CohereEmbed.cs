using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.OpenAi;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Cohere;

/// <summary>
/// POST <c>…/embed</c> (Cohere v2): float vectors for <c>texts</c>, the same the OpenAI format gives for the same text
/// (<see cref="Embeddings.Vector"/>), <c>output_dimension</c> entries long (default 8). Like Cohere's v3+ models it
/// requires <c>input_type</c>. <c>billed_units.input_tokens</c> = ceil(chars / 4) per text.
/// </summary>
internal static class CohereEmbed
{
    private static readonly string[] InputTypes = ["search_document", "search_query", "classification", "clustering", "image"];

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await CohereRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        if (!TryRead(request.Body, out var texts, out var dimensions, out var problem))
        {
            await CohereErrors.WriteInvalidRequestAsync(context, problem);
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
            json.WriteString("id", $"fake-{StableHash.Hex($"{request.Model}\n{string.Join('\n', texts)}")}");
            json.WriteStartObject("embeddings");
            json.WriteStartArray("float");
            foreach (var text in texts)
            {
                json.WriteStartArray();
                foreach (var value in Embeddings.Vector(text, dimensions))
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("texts");
            foreach (var text in texts)
            {
                json.WriteStringValue(text);
            }

            json.WriteEndArray();
            json.WriteStartObject("meta");
            json.WriteStartObject("api_version");
            json.WriteString("version", "2");
            json.WriteEndObject();
            json.WriteStartObject("billed_units");
            json.WriteNumber("input_tokens", texts.Sum(TokenEstimate.ForText));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteString("response_type", "embeddings_by_type");
            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, body, faults.Malformed, exchange.Cancellation);
    }

    private static bool TryRead(JsonElement body, out List<string> texts, out int dimensions, out string problem)
    {
        texts = [];
        dimensions = Embeddings.DefaultDimensions;
        problem = "";
        if (!body.TryGetProperty("texts", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            problem = "texts must be a non-empty array of strings.";
            return false;
        }

        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                problem = "texts must be a non-empty array of strings.";
                return false;
            }

            texts.Add(item.GetString()!);
        }

        if (!body.TryGetProperty("input_type", out var inputType) || inputType.ValueKind != JsonValueKind.String || !InputTypes.Contains(inputType.GetString()))
        {
            problem = "valid input_type must be provided with the provided model";
            return false;
        }

        if (body.TryGetProperty("embedding_types", out var types)
            && (types.ValueKind != JsonValueKind.Array || types.EnumerateArray().Any(type => !type.ValueEquals("float"))))
        {
            problem = "the fake provider serves embedding_types [\"float\"] only.";
            return false;
        }

        if (body.TryGetProperty("output_dimension", out var requested)
            && (requested.ValueKind != JsonValueKind.Number || !requested.TryGetInt32(out dimensions) || dimensions < 1 || dimensions > Embeddings.MaxDimensions))
        {
            problem = $"output_dimension must be from 1 to {Embeddings.MaxDimensions}.";
            return false;
        }

        return true;
    }
}
