using Switchyard.Gateway.Security;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// After an admin change, reloads the data path's key directory at once, so a key created or revoked through this
/// process is honoured by the very next request (other replicas learn of it on their next reload).
/// </summary>
internal sealed class KeyDirectoryRefreshFilter(KeyDirectory directory, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method))
        {
            await directory.RefreshAsync(time, context.HttpContext.RequestAborted);
        }

        return result;
    }
}
