using Switchyard.FrontDoor.Http;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.FrontDoor.Endpoints;

/// <summary>Every data-path endpoint: hands the request, in the client's dialect, to the <see cref="GatewayPipeline"/>.</summary>
internal static class GatewayEndpoint
{
    public static Task HandleAsync(HttpContext context, ApiOperation operation, IClientDialect dialect) =>
        context.RequestServices.GetRequiredService<GatewayPipeline>()
            .HandleAsync(operation, dialect, new HttpClientRequest(context.Request), new HttpClientResponse(context.Response));

    public static Task CountTokensAsync(HttpContext context, IClientDialect dialect) =>
        context.RequestServices.GetRequiredService<GatewayPipeline>()
            .CountTokensAsync(dialect, new HttpClientRequest(context.Request), new HttpClientResponse(context.Response));
}
