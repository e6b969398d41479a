using Switchyard.FakeProvider.Content;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.Cohere;

/// <summary>Error bodies in Cohere's v2 shape: <c>{"id": …, "message": …}</c>; the HTTP status says what kind.</summary>
internal static class CohereErrors
{
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        var body = JsonReply.Build(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", StableHash.Hex($"{status}\n{message}"));
            json.WriteString("message", message);
            json.WriteEndObject();
        });
        return JsonReply.WriteAsync(context, status, body, malformed: false, context.RequestAborted);
    }

    public static Task WriteStatusFaultAsync(HttpContext context, int status) =>
        WriteAsync(context, status, $"fake upstream error {status}");

    public static Task WriteInvalidRequestAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, "invalid request: " + message);
}
