using Switchyard.State;

namespace Switchyard.Gateway.Tests.Logging;

/// <summary>Minimal records for the queue's and writer's tests.</summary>
internal static class LogRecords
{
    public static readonly DateTimeOffset Now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static RequestLogRecord Of(int n, DateTimeOffset? expiresAt = null) => new()
    {
        Id = $"{n:D32}",
        CreatedAt = Now,
        ExpiresAt = expiresAt ?? Now.AddDays(30),
        WorkspaceId = "ws-1",
        TraceId = $"trace-{n}",
        SpanId = "00f067aa0ba902b7",
        Endpoint = "chat.completions",
        Path = "/v1/chat/completions",
        Status = 200,
    };
}
