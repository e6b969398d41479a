using System.Text.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Bedrock's error answers (<c>{"message":…}</c>) in OpenAI's error shape. The exception that names the error comes in
/// the <c>x-amzn-ErrorType</c> header (<c>ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/</c>),
/// or in a <c>__type</c> field from endpoints that put it in the body; it is the OpenAI <c>code</c> and decides the
/// type. Without either, the type follows from the status (and, for a 403, from the message).
/// </summary>
internal static class BedrockErrors
{
    public const string ErrorTypeHeader = "x-amzn-ErrorType";

    /// <param name="errorType">The <c>x-amzn-ErrorType</c> header, when Bedrock sent one.</param>
    public static byte[] ToOpenAi(int status, ReadOnlySpan<byte> body, string? errorType = null)
    {
        var (message, exception) = Read(body);
        exception = ExceptionName(errorType) ?? exception;
        message ??= $"Bedrock answered {status}";
        return OpenAiErrors.Body(TypeFor(status, message, exception), message, exception);
    }

    /// <summary>The exception's bare name from AWS's forms: <c>ThrottlingException:http://…</c> or <c>com.amazonaws.bedrock#ThrottlingException</c>.</summary>
    private static string? ExceptionName(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        var name = type[(type.LastIndexOf('#') + 1)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        name = (colon < 0 ? name : name[..colon]).Trim();
        return name.Length > 0 ? name : null;
    }

    /// <summary>
    /// ValidationException 400, UnrecognizedClient/InvalidSignature/AccessDenied 403, ResourceNotFound 404,
    /// ModelTimeout 408, ModelError 424, Throttling/ServiceQuotaExceeded/ModelNotReady 429, InternalServer 500,
    /// ServiceUnavailable 503.
    /// </summary>
    public static string TypeFor(int status, string message, string? exception)
    {
        if (exception is "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignatureException"
            or "MissingAuthenticationTokenException" or "ExpiredTokenException")
        {
            return "authentication_error";
        }

        if (exception is "AccessDeniedException")
        {
            return "permission_error";
        }

        return status switch
        {
            401 => "authentication_error",
            // Bad keys and missing permissions are both 403; only the message tells them apart.
            403 => IsAboutCredentials(message) ? "authentication_error" : "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            >= 500 or 408 or 424 => "api_error",
            _ => "invalid_request_error",
        };
    }

    private static bool IsAboutCredentials(string message) =>
        message.Contains("signature", StringComparison.OrdinalIgnoreCase)
        || message.Contains("security token", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Authentication Token", StringComparison.OrdinalIgnoreCase)
        || message.Contains("credential", StringComparison.OrdinalIgnoreCase)
        || message.Contains("API key", StringComparison.OrdinalIgnoreCase);

    private static (string? Message, string? Exception) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            string? message = null;
            foreach (var name in (string[])["message", "Message"])
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    message = value.GetString();
                    break;
                }
            }

            var exception = root.TryGetProperty("__type", out var type) && type.ValueKind == JsonValueKind.String ? ExceptionName(type.GetString()) : null;
            return (message, exception);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
