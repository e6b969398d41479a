using System.Globalization;
using System.Text.Json;
using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// POST <c>…/model/{model}/invoke</c> for embedding models, in the two body shapes Bedrock's
/// embedding families use: Cohere Embed (<c>{"texts":[…],"input_type":…}</c>, a batch) and Amazon
/// Titan (<c>{"inputText":…}</c>, one input). Vectors are the OpenAI route's, 8 entries by default.
/// </summary>
internal static class InvokeModel
{
    public const string TokenCountHeader = "X-Amzn-Bedrock-Input-Token-Count";

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await BedrockRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        var body = request.Body;
        var cohere = body.TryGetProperty("texts", out var texts) && texts.ValueKind == JsonValueKind.Array
            && texts.GetArrayLength() > 0 && texts.EnumerateArray().All(text => text.ValueKind == JsonValueKind.String);
        var titan = body.TryGetProperty("inputText", out var inputText) && inputText.ValueKind == JsonValueKind.String;
        if (cohere && !(body.TryGetProperty("input_type", out var inputType) && inputType.ValueKind == JsonValueKind.String))
        {
            await BedrockErrors.WriteValidationAsync(context, "Malformed input request: #: required key [input_type] not found, please reformat your input and try again.");
            return;
        }

        if (!cohere && !titan)
        {
            await BedrockErrors.WriteValidationAsync(context, "Malformed input request: expected 'texts' (Cohere Embed) or 'inputText' (Titan), please reformat your input and try again.");
            return;
        }

        var dimensionsName = cohere ? "output_dimension" : "dimensions";
        var dimensions = OpenAi.Embeddings.DefaultDimensions;
        if (body.TryGetProperty(dimensionsName, out var requested)
            && !(requested.TryGetInt32(out dimensions) && dimensions is > 0 and <= OpenAi.Embeddings.MaxDimensions))
        {
            await BedrockErrors.WriteValidationAsync(context, $"Malformed input request: '{dimensionsName}' must be a positive whole number.");
            return;
        }

        var faults = await request.PassFaultsAsync(context, exchange);
        if (faults is null)
        {
            return;
        }

        var inputs = cohere ? [.. texts.EnumerateArray().Select(text => text.GetString()!)] : new List<string> { inputText.GetString()! };
        var tokens = inputs.Sum(TokenEstimate.ForText);
        context.Response.Headers[TokenCountHeader] = tokens.ToString(CultureInfo.InvariantCulture);
        var answer = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            if (cohere)
            {
                var byType = body.TryGetProperty("embedding_types", out _);
                json.WriteString("id", $"emb-fake-{StableHash.Hex(string.Join('\n', inputs))}");
                if (byType)
                {
                    json.WriteStartObject("embeddings");
                    WriteVectors(json, "float", inputs, dimensions);
                    json.WriteEndObject();
                }
                else
                {
                    WriteVectors(json, "embeddings", inputs, dimensions);
                }

                json.WriteString("response_type", byType ? "embeddings_by_type" : "embeddings_floats");
                json.WriteStartArray("texts");
                inputs.ForEach(json.WriteStringValue);
                json.WriteEndArray();
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in OpenAi.Embeddings.Vector(inputs[0], dimensions))
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
                json.WriteNumber("inputTextTokenCount", tokens);
            }

            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, answer, faults.Malformed, exchange.Cancellation);
    }

    private static void WriteVectors(Utf8JsonWriter json, string name, List<string> inputs, int dimensions)
    {
        json.WriteStartArray(name);
        foreach (var input in inputs)
        {
            json.WriteStartArray();
            foreach (var value in OpenAi.Embeddings.Vector(input, dimensions))
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }
}
