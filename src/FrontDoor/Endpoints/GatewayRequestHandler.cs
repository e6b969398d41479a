using Microsoft.Extensions.Options;
using Switchyard.FrontDoor.Http;
using Switchyard.Gateway;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>Every data-path endpoint: read the request into a <see cref="GatewayCall"/> in the client's dialect, then run the pipeline.</summary>
internal static class GatewayRequestHandler
{
    public static Task HandleAsync(HttpContext context, ApiOperation operation, IClientDialect dialect) =>
        HandleAsync(context, operation, dialect, static (pipeline, call) => pipeline.HandleAsync(call));

    public static async Task HandleAsync(HttpContext context, ApiOperation operation, IClientDialect dialect, Func<GatewayPipeline, GatewayCall, Task> run)
    {
        var started = GatewayCallFactory.StartTimings();
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var response = new HttpClientResponse(context.Response);
        GatewayCall call;
        try
        {
            call = await GatewayCallFactory.CreateAsync(context, operation, dialect, response, options, started);
        }
        catch (GatewayException ex)
        {
            await GatewayErrors.WriteAsync(response, dialect, ex, context.RequestAborted);
            return;
        }

        await run(services.GetRequiredService<GatewayPipeline>(), call);
    }
}
