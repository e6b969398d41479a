using System.Text.Json;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// Logs every gateway call, whatever its end: builds its <see cref="RequestLogRecord"/> once the answer is out and the
/// call settled (so its cost is known), and queues it without waiting. Bodies are captured as the bytes the call
/// already holds; the writer turns them into text. No header is stored, so no credential can be.
/// </summary>
internal sealed class RequestLogging(RequestLogQueue queue) : ICallObserver
{
    /// <summary>Collect the answer's bytes only when this call's bodies are kept.</summary>
    public bool WantsAnswer(GatewayCall call) => queue.Open && BodiesOf(call) != LogBodies.Off;

    public void OnCompleted(GatewayCall call)
    {
        if (queue.Open)
        {
            queue.TryEnqueue(Capture(call));
        }
    }

    /// <summary>The workspace's policy (Full for a call with no workspace), or Off for a call sent with <c>x-portkey-debug: false</c>.</summary>
    internal static LogBodies BodiesOf(GatewayCall call) =>
        call.Headers[GatewayHeaders.Debug] is { } debug && debug.Trim().Equals("false", StringComparison.OrdinalIgnoreCase)
            ? LogBodies.Off
            : call.Workspace?.Logging.Bodies ?? LogBodies.Full;

    internal static LoggedCall Capture(GatewayCall call)
    {
        var clock = call.Clock;
        var timings = call.Timings;
        var total = clock.GetElapsedTime(timings.StartTimestamp);
        var attempts = call.Attempts;
        var last = attempts.Count > 0 ? attempts[^1] : null;
        var endpoint = EndpointOf(call);
        var modelRequested = call.Body.Model;
        var modelUsed = call.ModelUsed ?? last?.Model;
        var usage = call.Usage;
        var policy = call.Workspace?.Logging ?? LogPolicy.Default;
        var bodies = BodiesOf(call);
        var (metadata, user) = MetadataOf(call.Metadata);
        string? w3cTraceId = null, parentSpanId = null;
        if (TraceParent.TryParse(call.Headers[GatewayHeaders.TraceParent], out var traceId, out var parent))
        {
            (w3cTraceId, parentSpanId) = (traceId, parent);
        }

        var createdAt = call.StartedAt;
        var record = new RequestLogRecord
        {
            Id = call.RequestId.Length > 0 ? call.RequestId : Guid.CreateVersion7(createdAt).ToString("N"),
            CreatedAt = createdAt,
            ExpiresAt = createdAt.AddDays(policy.RetentionDays),
            WorkspaceId = call.Workspace?.Id ?? "",
            TraceId = call.TraceId,
            SpanId = call.SpanId.Length > 0 ? call.SpanId : NewSpanId(),
            ParentSpanId = parentSpanId,
            W3cTraceId = w3cTraceId,
            SpanName = (modelUsed ?? modelRequested) is { } spanModel ? $"{endpoint} {spanModel}" : endpoint,
            ApiKeyId = call.ApiKey?.Id,
            VirtualKey = call.VirtualKey ?? call.Plan?.Defaults.VirtualKey?.Slug,
            ConfigId = call.Plan?.Saved?.Slug,
            ConfigVersion = call.Plan?.Saved?.Version,
            Provider = call.Provider ?? last?.Provider,
            ModelRequested = modelRequested,
            ModelUsed = modelUsed,
            Endpoint = endpoint,
            Path = call.Path,
            Status = call.StatusCode,
            ErrorType = call.ErrorType,
            ErrorMessage = call.ErrorMessage,
            Stream = call.Body.Stream,
            TotalMs = total.TotalMilliseconds,
            UpstreamMs = timings.Upstream.TotalMilliseconds,
            TtftMs = call.TimeToFirstByte?.TotalMilliseconds,
            OverheadMs = timings.Overhead(clock).TotalMilliseconds,
            InputTokens = usage?.PromptTokens ?? 0,
            OutputTokens = usage?.CompletionTokens ?? 0,
            CachedTokens = usage?.CachedTokens ?? 0,
            ReasoningTokens = usage?.ReasoningTokens ?? 0,
            CostMicros = call.CostMicros,
            CacheStatus = call.CacheStatus,
            RetryCount = call.RetryCount,
            Attempts = attempts, // the call is over: its list no longer changes
            Metadata = metadata,
            User = user,
            ClientIp = call.Request.ClientAddress,
            UserAgent = call.Headers[GatewayHeaders.UserAgent],
            Bodies = bodies,
        };

        return bodies == LogBodies.Off
            ? new LoggedCall(record)
            : new LoggedCall(record)
            {
                Bodies = bodies,
                RequestBody = call.Body.Utf8,
                AnswerBody = call.AnswerBody,
                AnswerStream = call.AnswerStream,
                Dialect = call.Dialect,
            };
    }

    /// <summary>The operation in the log's words: <c>chat.completions</c>, <c>completions</c>, <c>embeddings</c>, <c>messages</c>, <c>messages.count_tokens</c>.</summary>
    internal static string EndpointOf(GatewayCall call)
    {
        if (call.CountsTokens)
        {
            return "messages.count_tokens";
        }

        if (call.Dialect.Format == ClientFormat.Anthropic)
        {
            return "messages";
        }

        return call.Operation switch
        {
            ApiOperation.ChatCompletions => "chat.completions",
            ApiOperation.Completions => "completions",
            ApiOperation.Embeddings => "embeddings",
            _ => "models",
        };
    }

    /// <summary>The metadata as strings (other values as their JSON text), and Portkey's <c>_user</c>.</summary>
    private static (IReadOnlyDictionary<string, string> Metadata, string? User) MetadataOf(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } values)
        {
            return (RequestLogRecord.NoMetadata, null);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in values.EnumerateObject())
        {
            map[member.Name] = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()! : member.Value.GetRawText();
        }

        return (map, map.GetValueOrDefault("_user"));
    }

    /// <summary>A span id for a call that tracing gave none: 16 hex digits, unique enough, from the fast generator.</summary>
    private static string NewSpanId()
    {
        Span<byte> bytes = stackalloc byte[8];
        do
        {
            Random.Shared.NextBytes(bytes);
        }
        while (bytes.IndexOfAnyExcept((byte)0) < 0);

        return Convert.ToHexStringLower(bytes);
    }
}
