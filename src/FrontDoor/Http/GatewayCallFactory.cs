using Switchyard.Gateway;
using Switchyard.Gateway.Json;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;

namespace Switchyard.FrontDoor.Http;

/// <summary>Step 1 of the pipeline on the HTTP side: content type, body size limit, then the body reader.</summary>
internal static class GatewayCallFactory
{
    public static long StartTimings() => TimeProvider.System.GetTimestamp();

    public static async Task<GatewayCall> CreateAsync(HttpContext context, ApiOperation operation, IClientDialect dialect, IClientResponse response, GatewayOptions options, long startTimestamp)
    {
        var request = context.Request;
        var body = ReadOnlyMemory<byte>.Empty;
        if (operation.HasBody())
        {
            if (!IsJson(request.ContentType))
            {
                throw new GatewayException(400, $"Invalid content type passed: '{request.ContentType ?? "(none)"}'. Send the body as JSON with the header Content-Type: application/json.");
            }

            body = await RequestBodyBuffer.ReadAsync(request, options.MaxRequestBodyBytes, context.RequestAborted);
        }

        return GatewayCall.Create(operation, dialect, request.Path.Value ?? "/", new HttpRequestHeaders(request.Headers), body, response, startTimestamp, options.MaxJsonDepth, context.RequestAborted);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && MediaType.Essence(contentType).Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
