using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects.OpenAi;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>The OpenAI wire API: chat completions, completions, embeddings and models.</summary>
internal static class OpenAiEndpoints
{
    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/chat/completions", (HttpContext context) => GatewayEndpoint.HandleAsync(context, ApiOperation.ChatCompletions, OpenAiDialect.Instance));
        v1.MapPost("/completions", (HttpContext context) => GatewayEndpoint.HandleAsync(context, ApiOperation.Completions, OpenAiDialect.Instance));
        v1.MapPost("/embeddings", (HttpContext context) => GatewayEndpoint.HandleAsync(context, ApiOperation.Embeddings, OpenAiDialect.Instance));
        v1.MapGet("/models", ListModelsAsync);
        return app;
    }

    /// <summary>
    /// With a provider (header or config) the provider's own list; without, the model catalog: every known model with
    /// its context window and prices (<c>?provider=groq</c> narrows it).
    /// </summary>
    private static Task ListModelsAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey(GatewayHeaders.Provider) || headers.ContainsKey(GatewayHeaders.Config))
        {
            return GatewayEndpoint.HandleAsync(context, ApiOperation.Models, OpenAiDialect.Instance);
        }

        var provider = context.Request.Query["provider"].FirstOrDefault();
        var body = ModelListing.Render(string.IsNullOrEmpty(provider) ? null : provider);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
