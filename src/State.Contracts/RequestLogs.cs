namespace Switchyard.State;

/// <summary>What a workspace's request log keeps of bodies (docs/observability.md, "Bodies").</summary>
public enum LogBodies
{
    /// <summary>Request and response bodies as they were, up to the size cap.</summary>
    Full,

    /// <summary>Bodies with secrets and personal data (keys, tokens, e-mail addresses, card and phone numbers) masked.</summary>
    Redacted,

    /// <summary>No bodies; every other field is still logged.</summary>
    Off,
}

/// <summary>A workspace's request-log policy: what to keep of bodies, and for how long records are kept.</summary>
public sealed record LogPolicy(LogBodies Bodies, int RetentionDays)
{
    public const int DefaultRetentionDays = 30;

    /// <summary>The longest retention a workspace may ask for (a record's partition is chosen by its expiry day).</summary>
    public const int MaxRetentionDays = 3650;

    public static LogPolicy Default { get; } = new(LogBodies.Full, DefaultRetentionDays);
}

/// <summary>
/// One attempt at one target of a call: every retry and every fallback target is one. <paramref name="Index"/> counts
/// attempts from 0 in the order they were made; <paramref name="OptionPath"/> is the config target's JSON path
/// (<c>x-portkey-last-used-option-index</c>); <paramref name="Status"/> is the HTTP status the attempt came to
/// (408 for a timeout, 502/503 for unreachable or circuit-open, 0 when the client went away during it).
/// </summary>
public sealed record LogAttempt(
    int Index,
    string OptionPath,
    string Provider,
    string? Model,
    int Status,
    string? ErrorType,
    double LatencyMs,
    DateTimeOffset StartedAt);

/// <summary>
/// One logged request (docs/observability.md, "The record"). Gateway calls are logged by the pipeline, whatever their
/// end; custom records come from <c>POST /v1/logs</c>. Never holds an API key, a provider key or an
/// <c>Authorization</c> value. Times are UTC; money is in micro-dollars (millionths of a USD).
/// </summary>
public sealed record RequestLogRecord
{
    /// <summary>Unique, time-ordered (a version-7 UUID in its 32-hex-digit form), so ids sort like <see cref="CreatedAt"/>.</summary>
    public required string Id { get; init; }

    /// <summary>When the call arrived.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>After this instant the record may be dropped: <see cref="CreatedAt"/> plus the workspace's retention.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary><c>gateway</c> for calls the gateway served, <c>custom</c> for records posted to <c>POST /v1/logs</c>.</summary>
    public string Kind { get; init; } = LogKinds.Gateway;

    /// <summary>The workspace the call ran in; empty for a keyless call with no default workspace.</summary>
    public required string WorkspaceId { get; init; }

    /// <summary><c>x-portkey-trace-id</c> (or the gateway's own when the client sent none).</summary>
    public required string TraceId { get; init; }

    /// <summary>The call's own span id (16 hex digits), the parent of its attempts' spans.</summary>
    public required string SpanId { get; init; }

    /// <summary>The client's span (W3C <c>traceparent</c>) or, for custom records, the <c>metadata.span_id</c> given.</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>The W3C trace id when the client sent a <c>traceparent</c> (32 hex digits).</summary>
    public string? W3cTraceId { get; init; }

    /// <summary>Custom records' <c>metadata.span_name</c>; gateway calls' <c>{operation} {model}</c>.</summary>
    public string? SpanName { get; init; }

    public string? ApiKeyId { get; init; }

    /// <summary>The virtual key slug of the target that answered last (or was tried last).</summary>
    public string? VirtualKey { get; init; }

    /// <summary>The saved config's slug, when the call used one; null for inline configs and none.</summary>
    public string? ConfigId { get; init; }

    public int? ConfigVersion { get; init; }

    /// <summary>The provider that answered last (or was tried last); null when no target was reached.</summary>
    public string? Provider { get; init; }

    /// <summary>The <c>model</c> of the client's request.</summary>
    public string? ModelRequested { get; init; }

    /// <summary>The model the provider was asked for (after overrides and routing), or the one it reported.</summary>
    public string? ModelUsed { get; init; }

    /// <summary>The operation: <c>chat.completions</c>, <c>completions</c>, <c>embeddings</c>, <c>messages</c>, <c>messages.count_tokens</c>, or <c>custom</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The request path (<c>/v1/chat/completions</c>); for custom records the URL they name.</summary>
    public required string Path { get; init; }

    public string Method { get; init; } = "POST";

    /// <summary>The HTTP status the client received (499 when it went away first).</summary>
    public required int Status { get; init; }

    /// <summary>Null on success; otherwise the error's <c>type</c> (<c>rate_limit_error</c>, <c>timeout_error</c>, <c>budget_exceeded</c>, …), or <c>stream_error</c> when a stream broke after its first byte.</summary>
    public string? ErrorType { get; init; }

    public string? ErrorMessage { get; init; }

    public bool Stream { get; init; }

    public double TotalMs { get; init; }

    /// <summary>Time spent waiting on providers.</summary>
    public double UpstreamMs { get; init; }

    /// <summary>Time to the first byte of the answer the client received (streams and JSON alike); null when none was sent.</summary>
    public double? TtftMs { get; init; }

    /// <summary>The gateway's own time: total less upstream waits and retry back-off.</summary>
    public double OverheadMs { get; init; }

    public int InputTokens { get; init; }

    public int OutputTokens { get; init; }

    public int CachedTokens { get; init; }

    public int ReasoningTokens { get; init; }

    /// <summary>What the call cost at the workspace's prices, in micro-dollars; 0 for cache hits and unanswered calls.</summary>
    public long CostMicros { get; init; }

    /// <summary><c>x-portkey-cache-status</c>: <c>HIT</c>, <c>SEMANTIC HIT</c>, <c>MISS</c>, <c>SEMANTIC MISS</c>, <c>REFRESH</c>, <c>DISABLED</c>.</summary>
    public string CacheStatus { get; init; } = "DISABLED";

    /// <summary>Portkey's <c>x-portkey-retry-attempt-count</c> for the target that answered.</summary>
    public int RetryCount { get; init; }

    /// <summary>Every attempt, in order; empty when no target was called (a refusal, a cache hit).</summary>
    public IReadOnlyList<LogAttempt> Attempts { get; init; } = [];

    /// <summary>The call's metadata (<c>x-portkey-metadata</c> over the key's defaults), string values.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>Portkey's <c>_user</c> metadata, kept in its own column for the users analytics.</summary>
    public string? User { get; init; }

    public string? ClientIp { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>What was kept of the bodies (the workspace's policy, or <c>Off</c> for a call with <c>x-portkey-debug: false</c>).</summary>
    public LogBodies Bodies { get; init; } = LogBodies.Off;

    /// <summary>The client's request body, as UTF-8 JSON text (or the custom record's request object); null when not kept.</summary>
    public string? RequestBody { get; init; }

    /// <summary>The answer the client received (a stream's assembled answer); null when not kept.</summary>
    public string? ResponseBody { get; init; }

    /// <summary>A body was cut at the size cap.</summary>
    public bool Truncated { get; init; }

    /// <summary>Guardrail results (Portkey's <c>hook_results</c> JSON), when guardrails ran.</summary>
    public string? HookResults { get; init; }

    public static IReadOnlyDictionary<string, string> NoMetadata { get; } = new Dictionary<string, string>();

    /// <summary>The call was an error (status 400 and up, or a stream that broke after its first byte).</summary>
    public bool IsError => Status >= 400 || ErrorType is not null;
}

public static class LogKinds
{
    public const string Gateway = "gateway";
    public const string Custom = "custom";
}

/// <summary>
/// Filters of a log search (<c>GET /v1/logs</c>) or an export; null or empty means any. Every search is scoped by
/// <see cref="WorkspaceIds"/> (null only for the admin token asking across workspaces). Newest first; a page is
/// continued from <see cref="Before"/>, the id of the last record of the previous page (ids sort like creation times).
/// </summary>
public sealed record LogSearch
{
    public IReadOnlyList<string>? WorkspaceIds { get; init; }

    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset? To { get; init; }

    public IReadOnlyList<int>? Statuses { get; init; }

    /// <summary>Only errors (true), only successes (false).</summary>
    public bool? Errors { get; init; }

    public IReadOnlyList<string>? Providers { get; init; }

    /// <summary>Matches the model used or, when none was reached, the one requested.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    public IReadOnlyList<string>? ApiKeyIds { get; init; }

    public IReadOnlyList<string>? VirtualKeys { get; init; }

    public IReadOnlyList<string>? ConfigIds { get; init; }

    public IReadOnlyList<string>? CacheStatuses { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    /// <summary>Every pair must match a metadata value exactly.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public long? MinCostMicros { get; init; }

    public long? MaxCostMicros { get; init; }

    public double? MinLatencyMs { get; init; }

    public double? MaxLatencyMs { get; init; }

    /// <summary>Input plus output tokens.</summary>
    public int? MinTokens { get; init; }

    public int? MaxTokens { get; init; }

    public int? MinInputTokens { get; init; }

    public int? MaxInputTokens { get; init; }

    public int? MinOutputTokens { get; init; }

    public int? MaxOutputTokens { get; init; }

    /// <summary>Case-insensitive text the request or response body must contain (only records that kept bodies match).</summary>
    public string? Text { get; init; }

    /// <summary>Continue after this record id (exclusive): the next page of a newest-first listing.</summary>
    public string? Before { get; init; }

    public int Limit { get; init; } = 50;
}

/// <summary>A page of records, newest first; <see cref="NextCursor"/> is the <see cref="LogSearch.Before"/> of the next page, null at the end.</summary>
public sealed record LogPage(IReadOnlyList<RequestLogRecord> Records, string? NextCursor);

/// <summary>A score a user gave a trace (<c>POST /v1/feedback</c>): value −10…10, weight 0…1.</summary>
public sealed record LogFeedback(
    string Id,
    string WorkspaceId,
    string TraceId,
    int Value,
    double Weight,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Export states, as Portkey names them.</summary>
public static class LogExportStatus
{
    public const string Draft = "draft";
    public const string InProgress = "in_progress";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Stopped = "stopped";
}

/// <summary>
/// A log export (<c>/v1/logs/exports</c>): its filters as the client sent them (JSON), the fields asked for, and, once
/// started, the instant it was pinned at (records created after it are not part of it) and how many records it holds.
/// </summary>
public sealed record LogExport(
    string Id,
    string WorkspaceId,
    string FiltersJson,
    IReadOnlyList<string> RequestedData,
    string Status,
    string? Description,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PinnedAt,
    long? Total);

/// <summary>Time buckets analytics can be read in. Minute buckets are kept for days, hour buckets for the retention of the longest-lived records.</summary>
public enum RollupGrain
{
    Minute,
    Hour,
    Day,
}

/// <summary>The dimensions rollups are kept by, and analytics can group by.</summary>
public enum RollupDimension
{
    Workspace,
    Provider,
    Model,
    ApiKey,
    VirtualKey,
    Config,
    Status,
    CacheStatus,
}

/// <summary>
/// An analytics question over rollups: a time range (whole buckets of <see cref="Grain"/>), filters on rollup
/// dimensions (null or empty means any), and the dimensions to group by besides the bucket. Scoped like a search.
/// </summary>
public sealed record RollupQuery
{
    public IReadOnlyList<string>? WorkspaceIds { get; init; }

    public required DateTimeOffset From { get; init; }

    /// <summary>Exclusive.</summary>
    public required DateTimeOffset To { get; init; }

    public RollupGrain Grain { get; init; } = RollupGrain.Hour;

    /// <summary>One row per bucket (true), or one row over the whole range (false).</summary>
    public bool ByBucket { get; init; } = true;

    public IReadOnlyList<RollupDimension> GroupBy { get; init; } = [];

    /// <summary>
    /// Whether rows carry the latency histogram (for percentiles). Default true; without it <see cref="RollupRow.Latency"/>
    /// is empty and the store sums 8 columns instead of 56, which is most of a long range's time.
    /// </summary>
    public bool Latency { get; init; } = true;

    public IReadOnlyList<string>? Providers { get; init; }

    public IReadOnlyList<string>? Models { get; init; }

    public IReadOnlyList<string>? ApiKeyIds { get; init; }

    public IReadOnlyList<string>? VirtualKeys { get; init; }

    public IReadOnlyList<string>? ConfigIds { get; init; }

    public IReadOnlyList<int>? Statuses { get; init; }

    public IReadOnlyList<string>? CacheStatuses { get; init; }
}

/// <summary>
/// Totals of the records in one bucket (and group): exact counts and sums, and a latency histogram
/// (<see cref="LatencyHistogram"/>) for percentiles. Group columns not asked for are null; <see cref="Bucket"/> is the
/// range's start when not by bucket.
/// </summary>
public sealed record RollupRow
{
    public DateTimeOffset Bucket { get; init; }

    public string? WorkspaceId { get; init; }

    public string? Provider { get; init; }

    public string? Model { get; init; }

    public string? ApiKeyId { get; init; }

    public string? VirtualKey { get; init; }

    public string? ConfigId { get; init; }

    public int? Status { get; init; }

    public string? CacheStatus { get; init; }

    public long Requests { get; init; }

    public long Errors { get; init; }

    public long CostMicros { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public double LatencyMsSum { get; init; }

    /// <summary>Requests per <see cref="LatencyHistogram"/> bucket; <see cref="LatencyHistogram.Buckets"/> long, or empty when the query asked for no latency.</summary>
    public required long[] Latency { get; init; }

    /// <summary>Calls answered after a retry of the target that answered.</summary>
    public long RescuedByRetry { get; init; }

    /// <summary>Calls answered by a fallback target after an earlier one failed.</summary>
    public long RescuedByFallback { get; init; }
}

/// <summary>What a retention pass removed.</summary>
public sealed record LogRetentionResult(long RecordsDropped, int PartitionsDropped, long RollupRowsDropped);

/// <summary>
/// The request log, its rollups, feedback and exports (docs/observability.md). <see cref="AppendAsync"/> is the only
/// write of records and is called by the background log writer with batches, never from a request; it keeps the
/// per-minute and per-hour rollups in the same transaction, so analytics equal the records written, exactly.
/// Every read takes the workspaces it may see (null: every workspace, for the admin token).
/// </summary>
public interface IRequestLogStore
{
    /// <summary>Writes a batch of records and adds them to the rollups, atomically. Ids already stored are skipped (a retried batch does not count twice).</summary>
    Task AppendAsync(IReadOnlyList<RequestLogRecord> records, CancellationToken cancellationToken);

    Task<RequestLogRecord?> GetAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken);

    Task<LogPage> SearchAsync(LogSearch search, CancellationToken cancellationToken);

    /// <summary>How many records a search matches (its cursor and limit ignored).</summary>
    Task<long> CountAsync(LogSearch search, CancellationToken cancellationToken);

    /// <summary>Every record matching a search, oldest first, streamed (exports): cursor and limit ignored.</summary>
    IAsyncEnumerable<RequestLogRecord> ReadAllAsync(LogSearch search, CancellationToken cancellationToken);

    /// <summary>Every record of one trace id, oldest first.</summary>
    Task<IReadOnlyList<RequestLogRecord>> TraceAsync(IReadOnlyList<string>? workspaceIds, string traceId, CancellationToken cancellationToken);

    /// <summary>Totals from the rollups.</summary>
    Task<IReadOnlyList<RollupRow>> RollupsAsync(RollupQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Drops records whose <see cref="RequestLogRecord.ExpiresAt"/> has passed (PostgreSQL: whole partitions; SQLite:
    /// bounded deletes) and rollup buckets older than their grain's retention; SQLite also trims the oldest records
    /// until the log is under its size cap.
    /// </summary>
    Task<LogRetentionResult> ApplyRetentionAsync(DateTimeOffset now, CancellationToken cancellationToken);

    Task AddFeedbackAsync(IReadOnlyList<LogFeedback> feedback, CancellationToken cancellationToken);

    /// <summary>Replaces value, weight and metadata of one feedback; false when the workspace has no such feedback.</summary>
    Task<bool> UpdateFeedbackAsync(LogFeedback feedback, CancellationToken cancellationToken);

    Task<LogFeedback?> GetFeedbackAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken);

    /// <summary>Feedback given in a time range (by <see cref="LogFeedback.CreatedAt"/>), optionally for one trace.</summary>
    Task<IReadOnlyList<LogFeedback>> ListFeedbackAsync(IReadOnlyList<string>? workspaceIds, DateTimeOffset? from, DateTimeOffset? to, string? traceId, CancellationToken cancellationToken);

    Task AddExportAsync(LogExport export, CancellationToken cancellationToken);

    Task<bool> UpdateExportAsync(LogExport export, CancellationToken cancellationToken);

    Task<LogExport?> GetExportAsync(IReadOnlyList<string>? workspaceIds, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<LogExport>> ListExportsAsync(IReadOnlyList<string>? workspaceIds, CancellationToken cancellationToken);
}

/// <summary>
/// The latency histogram rollups keep, for percentiles: bucket 0 holds calls under 1 ms, bucket i (1 ≤ i &lt; 47)
/// calls from 1.25^(i−1) ms up to 1.25^i ms, and the last bucket everything from 1.25^46 ms (about 28 s) up. A
/// percentile is read as its bucket's geometric middle, so it is within 12% of the true value.
/// </summary>
public static class LatencyHistogram
{
    public const int Buckets = 48;

    private const double Growth = 1.25;

    private static readonly double LogGrowth = Math.Log(Growth);

    public static int BucketOf(double milliseconds)
    {
        if (!(milliseconds >= 1))
        {
            return 0;
        }

        var i = (int)Math.Floor(Math.Log(milliseconds) / LogGrowth) + 1;
        return Math.Min(i, Buckets - 1);
    }

    /// <summary>The latency a bucket stands for: its geometric middle (0.5 ms for the first).</summary>
    public static double ValueOf(int bucket) => bucket == 0 ? 0.5 : Math.Pow(Growth, bucket - 0.5);

    /// <summary>The <paramref name="quantile"/> (0…1) of the counts, or null when there are none.</summary>
    public static double? Percentile(ReadOnlySpan<long> counts, double quantile)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return ValueOf(i);
            }
        }

        return ValueOf(counts.Length - 1);
    }
}

/// <summary>
/// How much a log store keeps besides what records' expiry says: the SQLite log's size cap (oldest records trimmed
/// past it), how long minute and hour rollup buckets are kept, and the most rows one retention statement deletes.
/// </summary>
public sealed record LogStoreLimits
{
    public long MaxBytes { get; init; } = 2L << 30;

    public int MinuteRollupDays { get; init; } = 8;

    public int HourRollupDays { get; init; } = 400;

    public int DeleteBatch { get; init; } = 5000;

    public static LogStoreLimits Default { get; } = new();
}
