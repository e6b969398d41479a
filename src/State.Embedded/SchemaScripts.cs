namespace Switchyard.State.Embedded;

/// <summary>One numbered migration. Scripts are applied in order, each in its own transaction, and never edited once released.</summary>
internal sealed record SchemaScript(int Version, string Name, string Sql);

/// <summary>
/// The embedded schema, as the ordered list of scripts that builds it. Add a change as a new script at the end; the
/// last number is the schema version this build requires.
/// </summary>
/// <remarks>
/// Tables are STRICT so a value of the wrong type is refused instead of stored. Instants are text (see
/// <see cref="StoredTime"/>); limits, metadata and string lists are JSON text (the one shape of <see cref="StoredJson"/>).
/// </remarks>
internal static class SchemaScripts
{
    public static IReadOnlyList<SchemaScript> All { get; } =
    [
        new(1, "key and config records",
            """
            CREATE TABLE workspaces (
                id               TEXT    NOT NULL PRIMARY KEY,
                slug             TEXT    NOT NULL UNIQUE,
                name             TEXT    NOT NULL,
                description      TEXT,
                default_metadata TEXT    NOT NULL,
                limits           TEXT    NOT NULL,
                archived         INTEGER NOT NULL CHECK (archived IN (0, 1)),
                created_at       TEXT    NOT NULL,
                updated_at       TEXT    NOT NULL
            ) STRICT;

            CREATE TABLE api_keys (
                id                  TEXT NOT NULL PRIMARY KEY,
                workspace_id        TEXT NOT NULL REFERENCES workspaces (id),
                name                TEXT NOT NULL,
                description         TEXT,
                key_hash            TEXT NOT NULL,
                hint                TEXT NOT NULL,
                scopes              TEXT NOT NULL,
                allowed_models      TEXT,
                allowed_providers   TEXT,
                default_config_slug TEXT,
                default_metadata    TEXT NOT NULL,
                limits              TEXT NOT NULL,
                expires_at          TEXT,
                revoked_at          TEXT,
                created_at          TEXT NOT NULL,
                updated_at          TEXT NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash);
            CREATE INDEX api_keys_workspace ON api_keys (workspace_id, created_at);

            CREATE TABLE virtual_keys (
                id                TEXT NOT NULL PRIMARY KEY,
                workspace_id      TEXT NOT NULL REFERENCES workspaces (id),
                slug              TEXT NOT NULL,
                name              TEXT NOT NULL,
                provider          TEXT NOT NULL,
                secret_key_id     TEXT NOT NULL,
                secret_nonce      BLOB NOT NULL,
                secret_ciphertext BLOB NOT NULL,
                secret_tag        BLOB NOT NULL,
                hint              TEXT NOT NULL,
                provider_options  TEXT NOT NULL,
                note              TEXT,
                limits            TEXT NOT NULL,
                expires_at        TEXT,
                created_at        TEXT NOT NULL,
                updated_at        TEXT NOT NULL
            ) STRICT;
            CREATE UNIQUE INDEX virtual_keys_workspace_slug ON virtual_keys (workspace_id, slug);

            CREATE TABLE configs (
                workspace_id TEXT    NOT NULL REFERENCES workspaces (id),
                slug         TEXT    NOT NULL,
                version      INTEGER NOT NULL CHECK (version > 0),
                id           TEXT    NOT NULL,
                name         TEXT    NOT NULL,
                config_json  TEXT    NOT NULL,
                is_default   INTEGER NOT NULL CHECK (is_default IN (0, 1)),
                created_at   TEXT    NOT NULL,
                updated_at   TEXT    NOT NULL,
                PRIMARY KEY (workspace_id, slug, version)
            ) STRICT;
            """),
        new(2, "audit log, price overrides, API key type, quota usage",
            """
            -- seq orders records appended within one microsecond; ids come from the admin API. No foreign key on the
            -- workspace: the log outlives what it describes.
            CREATE TABLE audit_log (
                seq          INTEGER NOT NULL PRIMARY KEY,
                id           TEXT    NOT NULL UNIQUE,
                at           TEXT    NOT NULL,
                actor        TEXT    NOT NULL,
                action       TEXT    NOT NULL,
                target_kind  TEXT    NOT NULL,
                target_id    TEXT    NOT NULL,
                workspace_id TEXT,
                before_json  TEXT,
                after_json   TEXT,
                request_id   TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX audit_log_at ON audit_log (at, seq);
            CREATE INDEX audit_log_workspace_at ON audit_log (workspace_id, at, seq);
            CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, at);

            ALTER TABLE workspaces ADD COLUMN price_overrides TEXT NOT NULL DEFAULT '{}';
            ALTER TABLE api_keys ADD COLUMN type TEXT NOT NULL DEFAULT 'workspace' CHECK (type IN ('workspace', 'organisation'));

            -- Settled use per quota (one row per entity, meter and window: a new window is a new row). What is reserved by
            -- requests in flight lives only in the process, so a restart releases it.
            CREATE TABLE quota_usage (
                entity_kind  TEXT    NOT NULL,
                entity_id    TEXT    NOT NULL,
                meter        TEXT    NOT NULL,
                window_start TEXT    NOT NULL,
                window_end   TEXT,
                used         INTEGER NOT NULL CHECK (used >= 0),
                updated_at   TEXT    NOT NULL,
                PRIMARY KEY (entity_kind, entity_id, meter, window_start)
            ) STRICT, WITHOUT ROWID;
            """),
        new(3, "grain state",
            """
            -- Orleans grain state (SqliteGrainStorage): one row per grain (its type and key, as GrainId spells them) and
            -- state name. version is the ETag. A clear deletes the row (payload NULL marks a state cleared by versions that
            -- kept the row). A rowid table, not WITHOUT ROWID: payloads can be large.
            CREATE TABLE grain_state (
                grain_type TEXT    NOT NULL,
                grain_key  TEXT    NOT NULL,
                state_name TEXT    NOT NULL,
                version    INTEGER NOT NULL CHECK (version > 0),
                payload    BLOB,
                updated_at TEXT    NOT NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            ) STRICT;
            """),
        new(4, "workspace log policy",
            """
            -- What the request log keeps of the workspace's calls and for how long (StoredJson.WriteLogPolicy); '{}' reads as
            -- the default policy. The log itself lives in a file of its own (SqliteRequestLogSchema).
            ALTER TABLE workspaces ADD COLUMN log_policy TEXT NOT NULL DEFAULT '{}';
            """),
    ];

    public static int LatestVersion => All[^1].Version;
}
