using System.Text.Json;
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

        return OpenAiDialect.ErrorBody(TypeFor(status), $"Azure OpenAI answered {status}", null);
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
        var message = Text(error, "message") ?? $"Azure OpenAI answered {status}";
        var code = error.TryGetProperty("code", out var c) ? c.ValueKind switch
        {
            JsonValueKind.String => c.GetString(),
            JsonValueKind.Number => c.GetRawText(),
            _ => null,
        } : null;
        var type = Text(error, "type") is { Length: > 0 } given ? given : TypeFor(status);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteString("param", Text(error, "param"));
            writer.WriteString("code", code);
            foreach (var property in error.EnumerateObject())
            {
                if (property.NameEquals("message") || property.NameEquals("type") || property.NameEquals("param") || property.NameEquals("code"))
                {
                    continue;
                }

                property.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
