using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// Bedrock's error answers: <c>{"message":…}</c>, with the exception name in the
/// <c>x-amzn-ErrorType</c> header (the body does not carry it).
/// </summary>
internal static class BedrockErrors
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    public static string ExceptionFor(int status) => status switch
    {
        401 => "UnrecognizedClientException",
        403 => "AccessDeniedException",
        404 => "ResourceNotFoundException",
        408 => "ModelTimeoutException",
        424 => "ModelErrorException",
        429 => "ThrottlingException",
        503 => "ServiceUnavailableException",
        >= 500 => "InternalServerException",
        _ => "ValidationException",
    };

    public static Task WriteAsync(HttpContext context, int status, string exception, string message)
    {
        context.Response.Headers[ErrorTypeHeader] = exception;
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("message", message);
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, status, body, malformed: false, context.RequestAborted);
    }

    public static Task WriteStatusFaultAsync(HttpContext context, int status) =>
        WriteAsync(context, status, ExceptionFor(status), $"fake upstream error {status}");

    public static Task WriteValidationAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, "ValidationException", message);
}
