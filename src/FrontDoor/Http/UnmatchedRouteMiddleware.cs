using Switchyard.Gateway.Errors;

namespace Switchyard.FrontDoor.Http;

/// <summary>
/// Answers requests no endpoint took (404, 405), requests Kestrel could not read (its 4xx), a cluster that could not be
/// reached (503: a silo down or moving, a front door still joining, a grain call timed out), and unexpected failures
/// (500), in the gateway's JSON error shape.
/// </summary>
internal sealed partial class UnmatchedRouteMiddleware(RequestDelegate next, ILogger<UnmatchedRouteMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel's verdict on the client's request (a body cut short, a malformed chunk): the client's mistake, a 4xx.
            LogBadRequest(logger, context.Request.Method, context.Request.Path, ex.StatusCode, ex.Message);
            await WriteAsync(context, ex.StatusCode, $"The request could not be read: {ex.Message}");
            return;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // Orleans' own failures (never a grain's): the cluster is settling, so the same request can succeed in a moment.
            LogClusterUnavailable(logger, context.Request.Method, context.Request.Path, ex.GetType().Name, ex.Message);
            context.Response.Headers.RetryAfter = "1";
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, $"The cluster could not be reached ({ex.GetType().Name}); retry in a moment.");
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, ex);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "Something went wrong inside the gateway; the error is logged.");
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (context.Response.HasStarted || context.Response.ContentLength > 0 || context.Response.ContentType is not null)
        {
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status404NotFound)
        {
            await WriteAsync(context, 404, $"Not found: {context.Request.Method} {context.Request.Path}. See README.md for the endpoints.");
        }
        else if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            await WriteAsync(context, 405, $"Method {context.Request.Method} is not allowed on {context.Request.Path}.");
        }
    }

    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(ErrorAnswer.GatewayShape(message)).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bad request on {Method} {Path}: {Status} {Problem}")]
    private static partial void LogBadRequest(ILogger logger, string method, string path, int status, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster could not be reached on {Method} {Path}: {ErrorType}: {Problem}")]
    private static partial void LogClusterUnavailable(ILogger logger, string method, string path, string errorType, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
