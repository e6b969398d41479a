using Npgsql;
using NpgsqlTypes;

namespace Switchyard.State.Postgres;

/// <summary>
/// <c>switchyard.request_logs</c>'s columns in one order, and the two ways a record crosses it: a row of a binary COPY
/// (the writer) and a row of a reader (every read). Both sides are here so the column list and the record cannot drift.
/// </summary>
internal static class RequestLogRow
{
    public const string Columns =
        "id, created_at, expires_at, kind, workspace_id, trace_id, span_id, parent_span_id, w3c_trace_id, span_name, " +
        "api_key_id, virtual_key, config_id, config_version, provider, model_requested, model_used, endpoint, path, method, " +
        "status, error_type, error_message, stream, total_ms, upstream_ms, ttft_ms, overhead_ms, input_tokens, output_tokens, " +
        "cached_tokens, reasoning_tokens, cost_micros, cache_status, retry_count, attempts, metadata, end_user, client_ip, " +
        "user_agent, bodies, request_body, response_body, truncated, hook_results";

    public static async Task WriteAsync(NpgsqlBinaryImporter importer, RequestLogRecord r, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(r.Id, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(StateTime.Write(r.CreatedAt), NpgsqlDbType.TimestampTz, cancellationToken);
        await importer.WriteAsync(StateTime.Write(r.ExpiresAt), NpgsqlDbType.TimestampTz, cancellationToken);
        await importer.WriteAsync(r.Kind, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.WorkspaceId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.TraceId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.SpanId, NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.ParentSpanId, cancellationToken);
        await WriteTextAsync(importer, r.W3cTraceId, cancellationToken);
        await WriteTextAsync(importer, r.SpanName, cancellationToken);
        await WriteTextAsync(importer, r.ApiKeyId, cancellationToken);
        await WriteTextAsync(importer, r.VirtualKey, cancellationToken);
        await WriteTextAsync(importer, r.ConfigId, cancellationToken);
        await WriteAsync(importer, r.ConfigVersion, NpgsqlDbType.Integer, cancellationToken);
        await WriteTextAsync(importer, r.Provider, cancellationToken);
        await WriteTextAsync(importer, r.ModelRequested, cancellationToken);
        await WriteTextAsync(importer, r.ModelUsed, cancellationToken);
        await importer.WriteAsync(r.Endpoint, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.Path, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.Method, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.Status, NpgsqlDbType.Integer, cancellationToken);
        await WriteTextAsync(importer, r.ErrorType, cancellationToken);
        await WriteTextAsync(importer, r.ErrorMessage, cancellationToken);
        await importer.WriteAsync(r.Stream, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteAsync(r.TotalMs, NpgsqlDbType.Double, cancellationToken);
        await importer.WriteAsync(r.UpstreamMs, NpgsqlDbType.Double, cancellationToken);
        await WriteAsync(importer, r.TtftMs, NpgsqlDbType.Double, cancellationToken);
        await importer.WriteAsync(r.OverheadMs, NpgsqlDbType.Double, cancellationToken);
        await importer.WriteAsync(r.InputTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.OutputTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.CachedTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.ReasoningTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.CostMicros, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(r.CacheStatus, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(r.RetryCount, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(StoredJson.WriteAttempts(r.Attempts), NpgsqlDbType.Jsonb, cancellationToken);
        await importer.WriteAsync(StoredJson.WriteMap(r.Metadata), NpgsqlDbType.Jsonb, cancellationToken);
        await WriteTextAsync(importer, r.User, cancellationToken);
        await WriteTextAsync(importer, r.ClientIp, cancellationToken);
        await WriteTextAsync(importer, r.UserAgent, cancellationToken);
        await importer.WriteAsync(WriteBodies(r.Bodies), NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.RequestBody, cancellationToken);
        await WriteTextAsync(importer, r.ResponseBody, cancellationToken);
        await importer.WriteAsync(r.Truncated, NpgsqlDbType.Boolean, cancellationToken);
        await WriteTextAsync(importer, r.HookResults, cancellationToken);
    }

    /// <summary>Reads a row selected with <see cref="Columns"/>, in that order.</summary>
    public static RequestLogRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        CreatedAt = reader.GetFieldValue<DateTimeOffset>(1),
        ExpiresAt = reader.GetFieldValue<DateTimeOffset>(2),
        Kind = reader.GetString(3),
        WorkspaceId = reader.GetString(4),
        TraceId = reader.GetString(5),
        SpanId = reader.GetString(6),
        ParentSpanId = Text(reader, 7),
        W3cTraceId = Text(reader, 8),
        SpanName = Text(reader, 9),
        ApiKeyId = Text(reader, 10),
        VirtualKey = Text(reader, 11),
        ConfigId = Text(reader, 12),
        ConfigVersion = reader.IsDBNull(13) ? null : reader.GetInt32(13),
        Provider = Text(reader, 14),
        ModelRequested = Text(reader, 15),
        ModelUsed = Text(reader, 16),
        Endpoint = reader.GetString(17),
        Path = reader.GetString(18),
        Method = reader.GetString(19),
        Status = reader.GetInt32(20),
        ErrorType = Text(reader, 21),
        ErrorMessage = Text(reader, 22),
        Stream = reader.GetBoolean(23),
        TotalMs = reader.GetDouble(24),
        UpstreamMs = reader.GetDouble(25),
        TtftMs = reader.IsDBNull(26) ? null : reader.GetDouble(26),
        OverheadMs = reader.GetDouble(27),
        InputTokens = reader.GetInt32(28),
        OutputTokens = reader.GetInt32(29),
        CachedTokens = reader.GetInt32(30),
        ReasoningTokens = reader.GetInt32(31),
        CostMicros = reader.GetInt64(32),
        CacheStatus = reader.GetString(33),
        RetryCount = reader.GetInt32(34),
        Attempts = StoredJson.ReadAttempts(reader.GetString(35)),
        Metadata = StoredJson.ReadMap(reader.GetString(36)),
        User = Text(reader, 37),
        ClientIp = Text(reader, 38),
        UserAgent = Text(reader, 39),
        Bodies = ReadBodies(reader.GetString(40)),
        RequestBody = Text(reader, 41),
        ResponseBody = Text(reader, 42),
        Truncated = reader.GetBoolean(43),
        HookResults = Text(reader, 44),
    };

    /// <summary>The body policy as <c>request_logs.bodies</c> holds it.</summary>
    private static string WriteBodies(LogBodies bodies) => bodies switch
    {
        LogBodies.Full => "full",
        LogBodies.Redacted => "redacted",
        LogBodies.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(bodies), bodies, "Unknown body policy."),
    };

    private static LogBodies ReadBodies(string text) => text switch
    {
        "full" => LogBodies.Full,
        "redacted" => LogBodies.Redacted,
        "off" => LogBodies.Off,
        _ => throw new InvalidDataException($"request_logs.bodies holds '{text}', which is no body policy."),
    };

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
