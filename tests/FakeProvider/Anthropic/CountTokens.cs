using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>POST <c>…/messages/count_tokens</c>: <c>{"input_tokens":N}</c>, N the same estimate a message's usage reports.</summary>
internal static class CountTokens
{
    public static async Task HandleAsync(HttpContext context, FakeExchange exchange)
    {
        using var request = await AnthropicRequest.OpenAsync(context, exchange);
        if (request is null)
        {
            return;
        }

        if (!AnthropicConversation.TryRead(request.Body, requireMaxTokens: false, out var facts, out var error))
        {
            await AnthropicErrors.WriteInvalidRequestAsync(context, error);
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
            json.WriteNumber("input_tokens", facts.PromptTokens);
            json.WriteEndObject();
        });
        await JsonReply.WriteAsync(context, StatusCodes.Status200OK, body, faults.Malformed, exchange.Cancellation);
    }
}
