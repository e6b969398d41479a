using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>Error bodies in Anthropic's shape: <c>{"type":"error","error":{"type","message"}}</c>.</summary>
internal static class AnthropicErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";

    /// <summary>The types Anthropic documents for each status; 529 is its own "overloaded".</summary>
    public static string TypeFor(int status) => status switch
    {
        401 => Authentication,
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => InvalidRequest,
    };

    public static Task WriteAsync(HttpContext context, int status, string type, string message)
    {
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteStartObject("error");
            json.WriteString("type", type);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, status, body, malformed: false, context.RequestAborted);
    }

    public static Task WriteStatusFaultAsync(HttpContext context, int status) =>
        WriteAsync(context, status, TypeFor(status), $"fake upstream error {status}");

    public static Task WriteInvalidRequestAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, InvalidRequest, message);
}
