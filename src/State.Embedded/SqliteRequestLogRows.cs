using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// A <see cref="RequestLogRecord"/> as a <c>request_logs</c> row: the one column list that inserts bind by position and
/// reads take by ordinal, so a field added here is written and read alike. Plain ADO.NET rather than Dapper: the writer
/// binds a prepared statement thousands of times a batch.
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

    /// <summary>The insert statement with its parameters made once; <see cref="Bind"/> sets their values per record.</summary>
    public static SqliteCommand PrepareInsert(SqliteConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = InsertSql;
        for (var i = 0; i < Columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", null));
        }

        return command;
    }

    public static void Bind(SqliteCommand insert, RequestLogRecord r)
    {
        var p = insert.Parameters;
        var i = 0;
        void Set(object? value) => p[i++].Value = value ?? DBNull.Value;

        Set(r.Id);
        Set(LogTime.Write(r.CreatedAt));
        Set(LogTime.Write(r.ExpiresAt));
        Set(r.Kind);
        Set(r.WorkspaceId);
        Set(r.TraceId);
        Set(r.SpanId);
        Set(r.ParentSpanId);
        Set(r.W3cTraceId);
        Set(r.SpanName);
        Set(r.ApiKeyId);
        Set(r.VirtualKey);
        Set(r.ConfigId);
        Set(r.ConfigVersion);
        Set(r.Provider);
        Set(r.ModelRequested);
        Set(r.ModelUsed);
        Set(LogRollups.ModelOf(r));
        Set(r.Endpoint);
        Set(r.Path);
        Set(r.Method);
        Set(r.Status);
        Set(r.ErrorType);
        Set(r.ErrorMessage);
        Set(r.Stream ? 1 : 0);
        Set(r.TotalMs);
        Set(r.UpstreamMs);
        Set(r.TtftMs);
        Set(r.OverheadMs);
        Set(r.InputTokens);
        Set(r.OutputTokens);
        Set(r.CachedTokens);
        Set(r.ReasoningTokens);
        Set(r.CostMicros);
        Set(r.CacheStatus);
        Set(r.RetryCount);
        Set(r.Attempts.Count == 0 ? "[]" : StoredJson.WriteAttempts(r.Attempts));
        Set(r.Metadata.Count == 0 ? "{}" : StoredJson.WriteMap(r.Metadata));
        Set(r.User);
        Set(r.ClientIp);
        Set(r.UserAgent);
        Set(WriteBodies(r.Bodies));
        Set(r.RequestBody);
        Set(r.ResponseBody);
        Set(r.Truncated ? 1 : 0);
        Set(r.HookResults);
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
