using Switchyard.Providers;
using Switchyard.Providers.OpenAi;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>The OpenAI wire API: chat completions, completions, embeddings and models.</summary>
internal static class OpenAiEndpoints
{
    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/chat/completions", (HttpContext context) => GatewayRequestHandler.HandleAsync(context, ApiOperation.ChatCompletions, OpenAiDialect.Instance));
        v1.MapPost("/completions", (HttpContext context) => GatewayRequestHandler.HandleAsync(context, ApiOperation.Completions, OpenAiDialect.Instance));
        v1.MapPost("/embeddings", (HttpContext context) => GatewayRequestHandler.HandleAsync(context, ApiOperation.Embeddings, OpenAiDialect.Instance));
        v1.MapGet("/models", (HttpContext context) => GatewayRequestHandler.HandleAsync(context, ApiOperation.Models, OpenAiDialect.Instance));
        return app;
    }
}
