using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Gemini;

/// <summary>Error bodies in Google's shape: <c>{"error":{"code","message","status"}}</c>, status being the RPC code name.</summary>
internal static class GeminiErrors
{
    public const string InvalidArgument = "INVALID_ARGUMENT";

    public static string StatusFor(int code) => code switch
    {
        400 => InvalidArgument,
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        500 => "INTERNAL",
        501 => "NOT_IMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        >= 500 => "INTERNAL",
        _ => "FAILED_PRECONDITION",
    };

    public static Task WriteAsync(HttpContext context, int code, string message, string? status = null)
    {
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteNumber("code", code);
            json.WriteString("message", message);
            json.WriteString("status", status ?? StatusFor(code));
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, code, body, malformed: false, context.RequestAborted);
    }

    public static Task WriteStatusFaultAsync(HttpContext context, int status) =>
        WriteAsync(context, status, $"fake upstream error {status}");

    public static Task WriteInvalidArgumentAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, message, InvalidArgument);
}
