using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>The OpenAI wire format's operations and its answers for paths it does not know.</summary>
internal static class OpenAiRoutes
{
    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, "chat/completions", ChatCompletions.HandleAsync),
        new(HttpMethods.Post, "completions", TextCompletions.HandleAsync),
        new(HttpMethods.Post, "embeddings", Embeddings.HandleAsync),
        new(HttpMethods.Get, "models", ModelList.HandleAsync),
    ];

    public static Task NotFoundAsync(HttpContext context, FakeExchange exchange) => OpenAiErrors.WriteAsync(
        context, StatusCodes.Status404NotFound, $"Invalid URL ({context.Request.Method} {context.Request.Path})", OpenAiErrors.InvalidRequest);

    public static Task MethodNotAllowedAsync(HttpContext context, FakeExchange exchange) => OpenAiErrors.WriteAsync(
        context, StatusCodes.Status405MethodNotAllowed, $"Method {context.Request.Method} is not allowed on {context.Request.Path}", OpenAiErrors.InvalidRequest);
}
