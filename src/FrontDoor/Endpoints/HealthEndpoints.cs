using Switchyard.FrontDoor.Http;

namespace Switchyard.FrontDoor.Endpoints;

internal static class HealthEndpoints
{
    /// <summary><c>/health</c>: the process is alive. <c>/ready</c>: it has started and is not shutting down.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok")));
        app.MapGet("/ready", (Readiness readiness) => readiness.IsReady
            ? Results.Ok(new HealthStatus("ready"))
            : Results.Json(new HealthStatus("not ready"), statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    internal sealed record HealthStatus(string Status);
}
