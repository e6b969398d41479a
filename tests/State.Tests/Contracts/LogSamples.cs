namespace Switchyard.State.Tests.Contracts;

/// <summary>Request-log records for store tests: a plain successful chat call, which each test varies with <c>with</c>.</summary>
internal static class LogSamples
{
    /// <summary>A chat call at <paramref name="at"/> kept 30 days (or until <paramref name="expiresAt"/>), with bodies when <paramref name="body"/> is given.</summary>
    public static RequestLogRecord Record(string workspaceId, DateTimeOffset at, DateTimeOffset? expiresAt = null, string? body = null) => new()
    {
        Id = Guid.CreateVersion7(at).ToString("N"),
        CreatedAt = at,
        ExpiresAt = expiresAt ?? at.AddDays(30),
        WorkspaceId = workspaceId,
        TraceId = $"trace-{Guid.NewGuid():N}",
        SpanId = "0123456789abcdef",
        Endpoint = "chat.completions",
        Path = "/v1/chat/completions",
        Status = 200,
        Provider = "openai",
        ModelUsed = "gpt-4o-mini",
        TotalMs = 100,
        InputTokens = 10,
        OutputTokens = 5,
        CostMicros = 42,
        CacheStatus = "MISS",
        Bodies = body is null ? LogBodies.Off : LogBodies.Full,
        RequestBody = body,
    };
}
