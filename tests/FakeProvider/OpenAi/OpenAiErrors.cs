using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>Error bodies in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAiErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string RateLimit = "rate_limit_error";
    public const string ServerError = "server_error";

    public static string TypeFor(int status) => status switch
    {
        >= 500 => ServerError,
        429 => RateLimit,
        _ => InvalidRequest,
    };

    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? param = null, string? code = null)
    {
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteString("param", param);
            json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, status, body, malformed: false, context.RequestAborted);
    }

    public static Task WriteStatusFaultAsync(HttpContext context, int status) =>
        WriteAsync(context, status, $"fake upstream error {status}", TypeFor(status));

    public static Task WriteInvalidRequestAsync(HttpContext context, string message, string? param = null, string? code = null) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, message, InvalidRequest, param, code);
}
