namespace Switchyard.State.Embedded;

/// <summary>
/// The request log's own file (<c>&lt;name&gt;-logs.db</c> beside the catalog), built by its own ordered scripts and
/// <c>schema_version</c> table, so log writes never take the catalog's write lock and the two files migrate apart.
/// Scripts are never edited once released; add a change as a new script at the end.
/// </summary>
/// <remarks>
/// Instants are integer microseconds since 1970-01-01 UTC (<see cref="LogTime"/>): a million rows carry several
/// instants each, and integers are smaller and compare faster than <see cref="StoredTime"/>'s text. Rollup buckets are
/// the bucket's start in the same unit. Rollup dimensions a record lacks are <c>''</c> (<see cref="LogRollups"/>), so
/// the unique key finds the row an UPSERT adds to. Rollup rows are small and found by that key, so the key is the table
/// (WITHOUT ROWID): one b-tree per UPSERT instead of a table and a unique index.
/// </remarks>
internal static class SqliteRequestLogSchema
{
    public static IReadOnlyList<SchemaScript> All { get; } =
    [
        new(1, "request log, rollups, feedback, exports",
            """
            -- A rowid table (bodies can be large); ids are time-ordered, so the primary key orders pages and trims.
            -- model is the one used, else the one requested ('' for neither): what model filters and rollups read.
            CREATE TABLE request_logs (
                id               TEXT    NOT NULL PRIMARY KEY,
                created_at       INTEGER NOT NULL,
                expires_at       INTEGER NOT NULL,
                kind             TEXT    NOT NULL,
                workspace_id     TEXT    NOT NULL,
                trace_id         TEXT    NOT NULL,
                span_id          TEXT    NOT NULL,
                parent_span_id   TEXT,
                w3c_trace_id     TEXT,
                span_name        TEXT,
                api_key_id       TEXT,
                virtual_key      TEXT,
                config_id        TEXT,
                config_version   INTEGER,
                provider         TEXT,
                model_requested  TEXT,
                model_used       TEXT,
                model            TEXT    NOT NULL,
                endpoint         TEXT    NOT NULL,
                path             TEXT    NOT NULL,
                method           TEXT    NOT NULL,
                status           INTEGER NOT NULL,
                error_type       TEXT,
                error_message    TEXT,
                stream           INTEGER NOT NULL CHECK (stream IN (0, 1)),
                total_ms         REAL    NOT NULL,
                upstream_ms      REAL    NOT NULL,
                ttft_ms          REAL,
                overhead_ms      REAL    NOT NULL,
                input_tokens     INTEGER NOT NULL,
                output_tokens    INTEGER NOT NULL,
                cached_tokens    INTEGER NOT NULL,
                reasoning_tokens INTEGER NOT NULL,
                cost_micros      INTEGER NOT NULL,
                cache_status     TEXT    NOT NULL,
                retry_count      INTEGER NOT NULL,
                attempts         TEXT    NOT NULL,
                metadata         TEXT    NOT NULL,
                end_user         TEXT,
                client_ip        TEXT,
                user_agent       TEXT,
                bodies           TEXT    NOT NULL,
                request_body     TEXT,
                response_body    TEXT,
                truncated        INTEGER NOT NULL CHECK (truncated IN (0, 1)),
                hook_results     TEXT
            ) STRICT;
            CREATE INDEX request_logs_workspace ON request_logs (workspace_id, id);
            CREATE INDEX request_logs_trace ON request_logs (trace_id);
            CREATE INDEX request_logs_expires ON request_logs (expires_at);

            CREATE TABLE log_rollup_minute (
                bucket              INTEGER NOT NULL,
                workspace_id        TEXT    NOT NULL,
                provider            TEXT    NOT NULL,
                model               TEXT    NOT NULL,
                api_key_id          TEXT    NOT NULL,
                virtual_key         TEXT    NOT NULL,
                config_id           TEXT    NOT NULL,
                status              INTEGER NOT NULL,
                cache_status        TEXT    NOT NULL,
                requests            INTEGER NOT NULL,
                errors              INTEGER NOT NULL,
                cost_micros         INTEGER NOT NULL,
                input_tokens        INTEGER NOT NULL,
                output_tokens       INTEGER NOT NULL,
                latency_ms_sum      REAL    NOT NULL,
                rescued_by_retry    INTEGER NOT NULL,
                rescued_by_fallback INTEGER NOT NULL,
                h00                  INTEGER NOT NULL DEFAULT 0,
                h01                  INTEGER NOT NULL DEFAULT 0,
                h02                  INTEGER NOT NULL DEFAULT 0,
                h03                  INTEGER NOT NULL DEFAULT 0,
                h04                  INTEGER NOT NULL DEFAULT 0,
                h05                  INTEGER NOT NULL DEFAULT 0,
                h06                  INTEGER NOT NULL DEFAULT 0,
                h07                  INTEGER NOT NULL DEFAULT 0,
                h08                  INTEGER NOT NULL DEFAULT 0,
                h09                  INTEGER NOT NULL DEFAULT 0,
                h10                  INTEGER NOT NULL DEFAULT 0,
                h11                  INTEGER NOT NULL DEFAULT 0,
                h12                  INTEGER NOT NULL DEFAULT 0,
                h13                  INTEGER NOT NULL DEFAULT 0,
                h14                  INTEGER NOT NULL DEFAULT 0,
                h15                  INTEGER NOT NULL DEFAULT 0,
                h16                  INTEGER NOT NULL DEFAULT 0,
                h17                  INTEGER NOT NULL DEFAULT 0,
                h18                  INTEGER NOT NULL DEFAULT 0,
                h19                  INTEGER NOT NULL DEFAULT 0,
                h20                  INTEGER NOT NULL DEFAULT 0,
                h21                  INTEGER NOT NULL DEFAULT 0,
                h22                  INTEGER NOT NULL DEFAULT 0,
                h23                  INTEGER NOT NULL DEFAULT 0,
                h24                  INTEGER NOT NULL DEFAULT 0,
                h25                  INTEGER NOT NULL DEFAULT 0,
                h26                  INTEGER NOT NULL DEFAULT 0,
                h27                  INTEGER NOT NULL DEFAULT 0,
                h28                  INTEGER NOT NULL DEFAULT 0,
                h29                  INTEGER NOT NULL DEFAULT 0,
                h30                  INTEGER NOT NULL DEFAULT 0,
                h31                  INTEGER NOT NULL DEFAULT 0,
                h32                  INTEGER NOT NULL DEFAULT 0,
                h33                  INTEGER NOT NULL DEFAULT 0,
                h34                  INTEGER NOT NULL DEFAULT 0,
                h35                  INTEGER NOT NULL DEFAULT 0,
                h36                  INTEGER NOT NULL DEFAULT 0,
                h37                  INTEGER NOT NULL DEFAULT 0,
                h38                  INTEGER NOT NULL DEFAULT 0,
                h39                  INTEGER NOT NULL DEFAULT 0,
                h40                  INTEGER NOT NULL DEFAULT 0,
                h41                  INTEGER NOT NULL DEFAULT 0,
                h42                  INTEGER NOT NULL DEFAULT 0,
                h43                  INTEGER NOT NULL DEFAULT 0,
                h44                  INTEGER NOT NULL DEFAULT 0,
                h45                  INTEGER NOT NULL DEFAULT 0,
                h46                  INTEGER NOT NULL DEFAULT 0,
                h47                  INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (workspace_id, bucket, provider, model, api_key_id, virtual_key, config_id, status, cache_status)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX log_rollup_minute_bucket ON log_rollup_minute (bucket);

            CREATE TABLE log_rollup_hour (
                bucket              INTEGER NOT NULL,
                workspace_id        TEXT    NOT NULL,
                provider            TEXT    NOT NULL,
                model               TEXT    NOT NULL,
                api_key_id          TEXT    NOT NULL,
                virtual_key         TEXT    NOT NULL,
                config_id           TEXT    NOT NULL,
                status              INTEGER NOT NULL,
                cache_status        TEXT    NOT NULL,
                requests            INTEGER NOT NULL,
                errors              INTEGER NOT NULL,
                cost_micros         INTEGER NOT NULL,
                input_tokens        INTEGER NOT NULL,
                output_tokens       INTEGER NOT NULL,
                latency_ms_sum      REAL    NOT NULL,
                rescued_by_retry    INTEGER NOT NULL,
                rescued_by_fallback INTEGER NOT NULL,
                h00                  INTEGER NOT NULL DEFAULT 0,
                h01                  INTEGER NOT NULL DEFAULT 0,
                h02                  INTEGER NOT NULL DEFAULT 0,
                h03                  INTEGER NOT NULL DEFAULT 0,
                h04                  INTEGER NOT NULL DEFAULT 0,
                h05                  INTEGER NOT NULL DEFAULT 0,
                h06                  INTEGER NOT NULL DEFAULT 0,
                h07                  INTEGER NOT NULL DEFAULT 0,
                h08                  INTEGER NOT NULL DEFAULT 0,
                h09                  INTEGER NOT NULL DEFAULT 0,
                h10                  INTEGER NOT NULL DEFAULT 0,
                h11                  INTEGER NOT NULL DEFAULT 0,
                h12                  INTEGER NOT NULL DEFAULT 0,
                h13                  INTEGER NOT NULL DEFAULT 0,
                h14                  INTEGER NOT NULL DEFAULT 0,
                h15                  INTEGER NOT NULL DEFAULT 0,
                h16                  INTEGER NOT NULL DEFAULT 0,
                h17                  INTEGER NOT NULL DEFAULT 0,
                h18                  INTEGER NOT NULL DEFAULT 0,
                h19                  INTEGER NOT NULL DEFAULT 0,
                h20                  INTEGER NOT NULL DEFAULT 0,
                h21                  INTEGER NOT NULL DEFAULT 0,
                h22                  INTEGER NOT NULL DEFAULT 0,
                h23                  INTEGER NOT NULL DEFAULT 0,
                h24                  INTEGER NOT NULL DEFAULT 0,
                h25                  INTEGER NOT NULL DEFAULT 0,
                h26                  INTEGER NOT NULL DEFAULT 0,
                h27                  INTEGER NOT NULL DEFAULT 0,
                h28                  INTEGER NOT NULL DEFAULT 0,
                h29                  INTEGER NOT NULL DEFAULT 0,
                h30                  INTEGER NOT NULL DEFAULT 0,
                h31                  INTEGER NOT NULL DEFAULT 0,
                h32                  INTEGER NOT NULL DEFAULT 0,
                h33                  INTEGER NOT NULL DEFAULT 0,
                h34                  INTEGER NOT NULL DEFAULT 0,
                h35                  INTEGER NOT NULL DEFAULT 0,
                h36                  INTEGER NOT NULL DEFAULT 0,
                h37                  INTEGER NOT NULL DEFAULT 0,
                h38                  INTEGER NOT NULL DEFAULT 0,
                h39                  INTEGER NOT NULL DEFAULT 0,
                h40                  INTEGER NOT NULL DEFAULT 0,
                h41                  INTEGER NOT NULL DEFAULT 0,
                h42                  INTEGER NOT NULL DEFAULT 0,
                h43                  INTEGER NOT NULL DEFAULT 0,
                h44                  INTEGER NOT NULL DEFAULT 0,
                h45                  INTEGER NOT NULL DEFAULT 0,
                h46                  INTEGER NOT NULL DEFAULT 0,
                h47                  INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (workspace_id, bucket, provider, model, api_key_id, virtual_key, config_id, status, cache_status)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX log_rollup_hour_bucket ON log_rollup_hour (bucket);

            CREATE TABLE log_feedback (
                id           TEXT    NOT NULL PRIMARY KEY,
                workspace_id TEXT    NOT NULL,
                trace_id     TEXT    NOT NULL,
                value        INTEGER NOT NULL,
                weight       REAL    NOT NULL,
                metadata     TEXT    NOT NULL,
                created_at   INTEGER NOT NULL,
                updated_at   INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX log_feedback_workspace ON log_feedback (workspace_id, created_at);
            CREATE INDEX log_feedback_trace ON log_feedback (trace_id);

            CREATE TABLE log_exports (
                id             TEXT    NOT NULL PRIMARY KEY,
                workspace_id   TEXT    NOT NULL,
                filters_json   TEXT    NOT NULL,
                requested_data TEXT    NOT NULL,
                status         TEXT    NOT NULL,
                description    TEXT,
                created_by     TEXT    NOT NULL,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                pinned_at      INTEGER,
                total          INTEGER
            ) STRICT;
            CREATE INDEX log_exports_workspace ON log_exports (workspace_id, created_at);
            """),
    ];
}
