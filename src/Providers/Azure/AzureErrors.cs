using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Azure;

/// <summary>Azure's error bodies in OpenAI's exact shape: a <c>type</c> inferred where Azure leaves it null, Azure's extras kept.</summary>
internal static class AzureErrors
{
    public static byte[] ToOpenAi(int status, ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
            if (error.ValueKind == JsonValueKind.Object)
            {
                return Rewrite(status, error);
            }
        }
        catch (JsonException)
        {
        }

        return OpenAiErrors.Body(TypeFor(status), $"Azure OpenAI answered {status}", null);
    }

    /// <summary>
    /// <c>content_filter</c> (a prompt the content policy blocked) is a 400 like any invalid request; its
    /// <c>innererror.content_filter_result</c> says which category, and is kept.
    /// </summary>
    public static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    private static byte[] Rewrite(int status, JsonElement error)
    {
        var message = error.String("message") ?? $"Azure OpenAI answered {status}";
        var code = error.TryGetProperty("code", out var c) ? c.ValueKind switch
        {
            JsonValueKind.String => c.GetString(),
            JsonValueKind.Number => c.GetRawText(),
            _ => null,
        } : null;
        var type = error.String("type") is { Length: > 0 } given ? given : TypeFor(status);
        return OpenAiErrors.Body(type, message, code, error.String("param"), error);
    }
}
