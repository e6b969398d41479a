using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.OpenAi;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Azure;

/// <summary>
/// Azure OpenAI's deployment routes (<c>…/openai/deployments/{deployment}/chat/completions?api-version=…</c>):
/// Azure's gate (an <c>api-version</c> query, an <c>api-key</c> or bearer), then the OpenAI handlers, with
/// fault directives taken from the deployment name as well as the model.
/// </summary>
internal static class AzureRoutes
{
    public const string Prefix = "openai/deployments/{deployment}/";

    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, Prefix + "chat/completions", Gate(ChatCompletions.HandleAsync)),
        new(HttpMethods.Post, Prefix + "completions", Gate(TextCompletions.HandleAsync)),
        new(HttpMethods.Post, Prefix + "embeddings", Gate(Embeddings.HandleAsync)),
    ];

    private static ExchangeHandler Gate(ExchangeHandler handler) => async (context, exchange) =>
    {
        var request = context.Request;
        if (string.IsNullOrEmpty(request.Query["api-version"]))
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }

        var hasKey = request.Headers["api-key"].ToString().Length > 0
            || request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!hasKey)
        {
            await WriteAsync(
                context,
                StatusCodes.Status401Unauthorized,
                "401",
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");
            return;
        }

        var deployment = request.RouteValues["deployment"] as string ?? "";
        var bar = deployment.IndexOf(FaultDirectives.ModelSeparator);
        if (bar < 0 || exchange.HeaderDirectives is null)
        {
            await handler(context, exchange);
            return;
        }

        if (!FaultDirectives.TryParse(deployment[(bar + 1)..], FaultDirectives.ModelSeparator, out var fromDeployment, out var error))
        {
            await OpenAiErrors.WriteInvalidRequestAsync(context, error, "deployment", "invalid_fault_directive");
            return;
        }

        // The deployment's directives join the header's (header still wins), so the OpenAI handler merges them with the model's.
        var withDeployment = new FakeExchange
        {
            Body = exchange.Body,
            Slot = exchange.Slot,
            Cancellation = exchange.Cancellation,
            Time = exchange.Time,
            Scenarios = exchange.Scenarios,
            HeaderDirectives = FaultDirectives.Merge(fromDeployment, exchange.HeaderDirectives),
            HeaderDirectiveError = exchange.HeaderDirectiveError,
        };
        context.Features.Set(withDeployment);
        await handler(context, withDeployment);
    };

    /// <summary>Azure's own errors: <c>{"error":{"code","message"}}</c>, no type.</summary>
    private static Task WriteAsync(HttpContext context, int status, string code, string message)
    {
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("code", code);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, status, body, malformed: false, context.RequestAborted);
    }
}
