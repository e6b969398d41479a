using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>GET <c>.../models</c>: a fixed list, since the fake answers any model name anyway.</summary>
internal static class ModelList
{
    public static readonly IReadOnlyList<string> Ids = ["fake-gpt", "fake-gpt-mini", "fake-embed"];

    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await OpenAiRequest.OpenAsync(context, exchange, hasBody: false);
        if (request is null)
        {
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
            foreach (var id in Ids)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("object", "model");
                json.WriteNumber("created", OpenAiReply.Created);
                json.WriteString("owned_by", "fake");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, body, faults.Malformed, exchange.Cancellation);
    }
}
