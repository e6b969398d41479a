using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Cohere;

/// <summary>Cohere's errors are <c>{"id": …, "message": …}</c>; the type follows the HTTP status, as Cohere's own docs classify them.</summary>
internal static class CohereErrors
{
    public static byte[] ToOpenAi(int status, ReadOnlySpan<byte> body)
    {
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            message = document.RootElement.String("message") ?? document.RootElement.String("error");
        }
        catch (JsonException)
        {
        }

        message ??= body.Length > 0 && body.Length <= 1024 ? $"{CohereAdapter.Name} answered {status}: {System.Text.Encoding.UTF8.GetString(body)}" : $"{CohereAdapter.Name} answered {status}";
        return OpenAiErrors.Body(ErrorType(status), message, code: null);
    }

    /// <summary>498 is Cohere's invalid-token status and 499 a request cancelled upstream.</summary>
    public static string ErrorType(int status) => status switch
    {
        401 or 498 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        503 => "overloaded_error",
        >= 500 or 499 => "api_error",
        _ => "invalid_request_error",
    };
}
