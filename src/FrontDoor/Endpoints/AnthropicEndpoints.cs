using Switchyard.Providers;
using Switchyard.Providers.Anthropic;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>Anthropic's Messages API, served by any provider behind the gateway.</summary>
internal static class AnthropicEndpoints
{
    public static IEndpointRouteBuilder MapAnthropicEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/messages", (HttpContext context) =>
            GatewayRequestHandler.HandleAsync(context, ApiOperation.ChatCompletions, AnthropicDialect.Instance, static (pipeline, call) => pipeline.HandleAsync(call)));
        v1.MapPost("/messages/count_tokens", (HttpContext context) =>
            GatewayRequestHandler.HandleAsync(context, ApiOperation.ChatCompletions, AnthropicDialect.Instance, static (pipeline, call) => pipeline.CountTokensAsync(call)));
        return app;
    }
}
