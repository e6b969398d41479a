using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// Portkey's custom logs (<c>POST /v1/logs</c>): calls made elsewhere, recorded beside the gateway's own as records of
/// kind <c>custom</c>. Headers that carry credentials are dropped before anything is kept, because a record must never
/// hold a key (<see cref="RequestLogRecord"/>).
/// </summary>
internal static class CustomLogs
{
    /// <summary>Header names dropped outright.</summary>
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "x-portkey-api-key", "api-key", "x-api-key", "cookie", "set-cookie",
        "x-portkey-virtual-key", "x-goog-api-key", "x-amz-security-token",
    };

    /// <summary>Words of header names that mark a credential of any provider (<c>x-foo-api-key</c>, <c>x-auth-token</c>).</summary>
    private static readonly HashSet<string> SecretNameWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "key", "token", "secret", "auth", "password", "passwd", "cookie", "session", "signature", "credential", "credentials",
    };

    /// <summary>The record one posted item describes, or null with its problems added to <paramref name="item"/>.</summary>
    public static RequestLogRecord? Read(AdminBody item, int index, Workspace workspace, string? apiKeyId, DateTimeOffset now)
    {
        var prefix = $"[{index}].";
        var requestElement = item.Field("request");
        var responseElement = item.Field("response");
        if (requestElement is not { ValueKind: JsonValueKind.Object } request)
        {
            item.Errors.Add(prefix + "request: is required (an object with url and body)");
            return null;
        }

        if (responseElement is not { ValueKind: JsonValueKind.Object } response)
        {
            item.Errors.Add(prefix + "response: is required (an object with status and body)");
            return null;
        }

        var url = request.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : null;
        if (string.IsNullOrWhiteSpace(url))
        {
            item.Errors.Add(prefix + "request.url: is required");
        }

        if (!request.TryGetProperty("body", out var requestBody))
        {
            item.Errors.Add(prefix + "request.body: is required");
        }

        if (!response.TryGetProperty("body", out var responseBody))
        {
            item.Errors.Add(prefix + "response.body: is required");
        }

        var method = request.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()!.ToUpperInvariant() : "POST";
        var status = 200;
        if (response.TryGetProperty("status", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out status) || status is < 100 or > 999)
            {
                item.Errors.Add(prefix + "response.status: must be an HTTP status");
            }
        }

        double responseTime = 0;
        if (response.TryGetProperty("response_time", out var t) && (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out responseTime) || responseTime < 0))
        {
            item.Errors.Add(prefix + "response.response_time: must be a number of milliseconds, 0 or more");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (item.Field("metadata"))
        {
            case { ValueKind: JsonValueKind.Object } given:
                foreach (var property in given.EnumerateObject())
                {
                    metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }

                break;
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            default:
                item.Errors.Add(prefix + "metadata: must be an object");
                break;
        }

        if (item.Errors.Count > 0)
        {
            return null;
        }

        // Records of one request keep their order: each is a microsecond after the one before it (the stores keep
        // microseconds, and a trace is read by creation time), and its id is ordered the same way.
        now = now.AddTicks(index * TimeSpan.TicksPerMicrosecond);
        var traceId = Take(metadata, "trace_id") ?? Guid.CreateVersion7(now).ToString();
        var spanId = Take(metadata, "span_id");
        var spanName = Take(metadata, "span_name");
        var keepBodies = workspace.Logging.Bodies != LogBodies.Off;
        var usage = responseBody.ValueKind == JsonValueKind.Object && responseBody.TryGetProperty("usage", out var found) && found.ValueKind == JsonValueKind.Object ? found : default;
        return new RequestLogRecord
        {
            Id = Guid.CreateVersion7(now).ToString("N"),
            CreatedAt = now,
            ExpiresAt = now.AddDays(workspace.Logging.RetentionDays),
            Kind = LogKinds.Custom,
            WorkspaceId = workspace.Id,
            TraceId = traceId,
            SpanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            ParentSpanId = spanId,
            SpanName = spanName,
            ApiKeyId = apiKeyId,
            Provider = Take(metadata, "provider", remove: false),
            ModelRequested = Text(requestBody, "model"),
            ModelUsed = Text(responseBody, "model") ?? Text(requestBody, "model"),
            Endpoint = LogKinds.Custom,
            Path = url!,
            Method = method,
            Status = status,
            ErrorType = status >= 400 ? "custom_error" : null,
            TotalMs = responseTime,
            InputTokens = Count(usage, "prompt_tokens") ?? Count(usage, "input_tokens") ?? 0,
            OutputTokens = Count(usage, "completion_tokens") ?? Count(usage, "output_tokens") ?? 0,
            Metadata = metadata,
            User = metadata.GetValueOrDefault("_user"),
            Bodies = keepBodies ? LogBodies.Full : LogBodies.Off,
            RequestBody = keepBodies ? Scrubbed(request).ToJsonString() : null,
            ResponseBody = keepBodies ? Scrubbed(response).ToJsonString() : null,
        };
    }

    /// <summary>True for a header that may carry a credential: a known one, or any whose name says key, token, auth….</summary>
    public static bool IsSecretHeader(string name) =>
        SecretHeaders.Contains(name) || name.Split('-', '_', '.').Any(word =>
            SecretNameWords.Contains(word)
            || word.StartsWith("auth", StringComparison.OrdinalIgnoreCase)
            || word.EndsWith("token", StringComparison.OrdinalIgnoreCase)
            || word.EndsWith("secret", StringComparison.OrdinalIgnoreCase)
            // "apikey", "accesskey", but not Portkey's own name in x-portkey-trace-id.
            || (word.EndsWith("key", StringComparison.OrdinalIgnoreCase) && !word.Equals("portkey", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The request or response object with its secret headers (and any header whose value is a bearer credential) left out.</summary>
    public static JsonObject Scrubbed(JsonElement message)
    {
        var copy = JsonObject.Create(message)!.DeepClone().AsObject();
        if (copy["headers"] is JsonObject headers)
        {
            foreach (var (name, value) in headers.ToArray())
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var str) ? str : null;
                if (IsSecretHeader(name) || (text is not null && (text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || text.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))))
                {
                    headers.Remove(name);
                }
            }
        }

        return copy;
    }

    private static string? Take(Dictionary<string, string> metadata, string name, bool remove = true)
    {
        if (!metadata.TryGetValue(name, out var value))
        {
            return null;
        }

        if (remove)
        {
            metadata.Remove(name);
        }

        return value.Length > 0 ? value : null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Count(JsonElement usage, string name) =>
        usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty(name, out var value) && value.TryGetInt32(out var n) && n >= 0 ? n : null;
}
