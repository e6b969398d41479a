using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Gemini;

/// <summary>Google's error answers (<c>{"error":{"code","message","status"}}</c>) in OpenAI's error shape; the RPC status is the OpenAI <c>code</c> and decides the type.</summary>
internal static class GeminiErrors
{
    public static byte[] ToOpenAi(int status, ReadOnlySpan<byte> body)
    {
        string? message = null;
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;

            // streamGenerateContent without alt=sse answers errors as a one-element array.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                message = error.String("message");
                code = error.String("status");
            }
        }
        catch (JsonException)
        {
        }

        message ??= body.Length > 0 && body.Length <= 1024 ? $"{GeminiAdapter.Name} answered {status}: {System.Text.Encoding.UTF8.GetString(body)}" : $"{GeminiAdapter.Name} answered {status}";
        return OpenAiErrors.Body(ErrorType(code, status), message, code);
    }

    /// <summary>OpenAI's error type for a Google RPC status (<c>INVALID_ARGUMENT</c>, …), or for the HTTP status when there is none.</summary>
    public static string ErrorType(string? rpcStatus, int httpStatus) => rpcStatus switch
    {
        "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" => "invalid_request_error",
        "UNAUTHENTICATED" => "authentication_error",
        "PERMISSION_DENIED" => "permission_error",
        "NOT_FOUND" => "not_found_error",
        "RESOURCE_EXHAUSTED" => "rate_limit_error",
        "UNAVAILABLE" => "overloaded_error",
        "INTERNAL" or "UNKNOWN" or "DEADLINE_EXCEEDED" or "ABORTED" or "DATA_LOSS" => "api_error",
        _ => httpStatus switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            503 => "overloaded_error",
            >= 500 => "api_error",
            _ => "invalid_request_error",
        },
    };
}
