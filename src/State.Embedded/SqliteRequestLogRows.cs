using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// A <see cref="RequestLogRecord"/> as a <c>request_logs</c> row: the one column list that inserts bind by position and
/// reads take by ordinal, so a field added here is written and read alike. The writer binds a
/// <see cref="PreparedStatement"/> thousands of times a batch; reads use plain ADO.NET.
/// </summary>
internal static class SqliteRequestLogRows
{
    private static readonly string[] Columns =
    [
        "id", "created_at", "expires_at", "kind", "workspace_id", "trace_id", "span_id", "parent_span_id", "w3c_trace_id", "span_name",
        "api_key_id", "virtual_key", "config_id", "config_version", "provider", "model_requested", "model_used", "model",
        "endpoint", "path", "method", "status", "error_type", "error_message", "stream", "total_ms", "upstream_ms", "ttft_ms",
        "overhead_ms", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "cost_micros", "cache_status",
        "retry_count", "attempts", "metadata", "end_user", "client_ip", "user_agent", "bodies", "request_body", "response_body",
        "truncated", "hook_results",
    ];

    /// <summary>The SELECT list, in the order <see cref="Read"/> takes: every column but <c>model</c>, which is derived from two others.</summary>
    public static readonly string SelectList = string.Join(", ", Columns.Where(c => c != "model"));

    /// <summary>Skips an id stored before (a retried batch): the caller counts only rows this statement changed.</summary>
    public static readonly string InsertSql =
        $"INSERT OR IGNORE INTO request_logs ({string.Join(", ", Columns)}) VALUES ({string.Join(", ", Columns.Select((_, i) => $"@p{i}"))})";

    public static PreparedStatement PrepareInsert(SqliteConnection connection) => new(connection, InsertSql);

    public static void Bind(PreparedStatement insert, RequestLogRecord r)
    {
        var i = 0;
        insert.Bind(i++, r.Id);
        insert.Bind(i++, LogTime.Write(r.CreatedAt));
        insert.Bind(i++, LogTime.Write(r.ExpiresAt));
        insert.Bind(i++, r.Kind);
        insert.Bind(i++, r.WorkspaceId);
        insert.Bind(i++, r.TraceId);
        insert.Bind(i++, r.SpanId);
        insert.Bind(i++, r.ParentSpanId);
        insert.Bind(i++, r.W3cTraceId);
        insert.Bind(i++, r.SpanName);
        insert.Bind(i++, r.ApiKeyId);
        insert.Bind(i++, r.VirtualKey);
        insert.Bind(i++, r.ConfigId);
        insert.Bind(i++, r.ConfigVersion);
        insert.Bind(i++, r.Provider);
        insert.Bind(i++, r.ModelRequested);
        insert.Bind(i++, r.ModelUsed);
        insert.Bind(i++, LogRollups.ModelOf(r));
        insert.Bind(i++, r.Endpoint);
        insert.Bind(i++, r.Path);
        insert.Bind(i++, r.Method);
        insert.Bind(i++, r.Status);
        insert.Bind(i++, r.ErrorType);
        insert.Bind(i++, r.ErrorMessage);
        insert.Bind(i++, r.Stream ? 1 : 0);
        insert.Bind(i++, r.TotalMs);
        insert.Bind(i++, r.UpstreamMs);
        insert.Bind(i++, r.TtftMs);
        insert.Bind(i++, r.OverheadMs);
        insert.Bind(i++, r.InputTokens);
        insert.Bind(i++, r.OutputTokens);
        insert.Bind(i++, r.CachedTokens);
        insert.Bind(i++, r.ReasoningTokens);
        insert.Bind(i++, r.CostMicros);
        insert.Bind(i++, r.CacheStatus);
        insert.Bind(i++, r.RetryCount);
        insert.Bind(i++, r.Attempts.Count == 0 ? "[]" : StoredJson.WriteAttempts(r.Attempts));
        insert.Bind(i++, r.Metadata.Count == 0 ? "{}" : StoredJson.WriteMap(r.Metadata));
        insert.Bind(i++, r.User);
        insert.Bind(i++, r.ClientIp);
        insert.Bind(i++, r.UserAgent);
        insert.Bind(i++, WriteBodies(r.Bodies));
        insert.Bind(i++, r.RequestBody);
        insert.Bind(i++, r.ResponseBody);
        insert.Bind(i++, r.Truncated ? 1 : 0);
        insert.Bind(i, r.HookResults);
    }

    public static RequestLogRecord Read(SqliteDataReader row)
    {
        var i = 0;
        string Text() => row.GetString(i++);
        string? OptionalText() => row.IsDBNull(i) ? Skip<string>() : row.GetString(i++);
        long Integer() => row.GetInt64(i++);
        long? OptionalInteger() => row.IsDBNull(i) ? Skip<long?>() : row.GetInt64(i++);
        double Real() => row.GetDouble(i++);
        double? OptionalReal() => row.IsDBNull(i) ? Skip<double?>() : row.GetDouble(i++);
        T? Skip<T>()
        {
            i++;
            return default;
        }

        return new RequestLogRecord
        {
            Id = Text(),
            CreatedAt = LogTime.Read(Integer()),
            ExpiresAt = LogTime.Read(Integer()),
            Kind = Text(),
            WorkspaceId = Text(),
            TraceId = Text(),
            SpanId = Text(),
            ParentSpanId = OptionalText(),
            W3cTraceId = OptionalText(),
            SpanName = OptionalText(),
            ApiKeyId = OptionalText(),
            VirtualKey = OptionalText(),
            ConfigId = OptionalText(),
            ConfigVersion = OptionalInteger() is { } version ? checked((int)version) : null,
            Provider = OptionalText(),
            ModelRequested = OptionalText(),
            ModelUsed = OptionalText(),
            Endpoint = Text(),
            Path = Text(),
            Method = Text(),
            Status = checked((int)Integer()),
            ErrorType = OptionalText(),
            ErrorMessage = OptionalText(),
            Stream = Integer() != 0,
            TotalMs = Real(),
            UpstreamMs = Real(),
            TtftMs = OptionalReal(),
            OverheadMs = Real(),
            InputTokens = checked((int)Integer()),
            OutputTokens = checked((int)Integer()),
            CachedTokens = checked((int)Integer()),
            ReasoningTokens = checked((int)Integer()),
            CostMicros = Integer(),
            CacheStatus = Text(),
            RetryCount = checked((int)Integer()),
            Attempts = StoredJson.ReadAttempts(Text()),
            Metadata = StoredJson.ReadMap(Text()),
            User = OptionalText(),
            ClientIp = OptionalText(),
            UserAgent = OptionalText(),
            Bodies = ReadBodies(Text()),
            RequestBody = OptionalText(),
            ResponseBody = OptionalText(),
            Truncated = Integer() != 0,
            HookResults = OptionalText(),
        };
    }

    // By name, as the stored JSON keeps enums, so reordering LogBodies cannot change what a row means.
    private static string WriteBodies(LogBodies bodies) => bodies switch
    {
        LogBodies.Full => "full",
        LogBodies.Redacted => "redacted",
        LogBodies.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(bodies), bodies, "Unknown body policy."),
    };

    private static LogBodies ReadBodies(string value) => value switch
    {
        "full" => LogBodies.Full,
        "redacted" => LogBodies.Redacted,
        "off" => LogBodies.Off,
        _ => throw new InvalidDataException($"The request log holds an unknown body policy '{value}'."),
    };
}
