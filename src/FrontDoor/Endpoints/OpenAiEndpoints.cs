using Microsoft.Extensions.Options;
using Switchyard.FrontDoor.Http;
using Switchyard.Gateway;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>The OpenAI wire API: chat completions, completions, embeddings and models.</summary>
internal static class OpenAiEndpoints
{
    public static IEndpointRouteBuilder MapOpenAiEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/chat/completions", (HttpContext context) => HandleAsync(context, ApiOperation.ChatCompletions));
        v1.MapPost("/completions", (HttpContext context) => HandleAsync(context, ApiOperation.Completions));
        v1.MapPost("/embeddings", (HttpContext context) => HandleAsync(context, ApiOperation.Embeddings));
        v1.MapGet("/models", (HttpContext context) => HandleAsync(context, ApiOperation.Models));
        return app;
    }

    private static async Task HandleAsync(HttpContext context, ApiOperation operation)
    {
        var started = GatewayCallFactory.StartTimings();
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var response = new HttpClientResponse(context.Response);
        GatewayCall call;
        try
        {
            call = await GatewayCallFactory.CreateAsync(context, operation, response, options, started);
        }
        catch (GatewayException ex)
        {
            await GatewayErrors.WriteAsync(response, ex, context.RequestAborted);
            return;
        }

        await services.GetRequiredService<GatewayPipeline>().HandleAsync(call);
    }
}
