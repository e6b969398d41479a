using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Switchyard.State.Embedded;

/// <summary>
/// A WHERE clause and its parameters, built from a <see cref="LogSearch"/> or a <see cref="RollupQuery"/>. Every value
/// is a parameter; only column names (fixed here) enter the text. A null workspace scope adds nothing (the admin token);
/// an empty one matches nothing; other null or empty filters mean any.
/// </summary>
internal sealed class SqliteLogFilter
{
    private readonly List<string> _conditions = [];
    private readonly List<(string Name, object Value)> _parameters = [];

    public static SqliteLogFilter Of(LogSearch search)
    {
        var f = new SqliteLogFilter();
        f.Scope(search.WorkspaceIds);
        f.Compare("created_at", ">=", search.From is { } from ? LogTime.Write(from) : null);
        f.Compare("created_at", "<", search.To is { } to ? LogTime.Write(to) : null);
        f.In("status", search.Statuses);
        if (search.Errors is { } errors)
        {
            f._conditions.Add(errors ? "(status >= 400 OR error_type IS NOT NULL)" : "(status < 400 AND error_type IS NULL)");
        }

        f.In("provider", search.Providers);
        f.In("model", search.Models);
        f.In("api_key_id", search.ApiKeyIds);
        f.In("virtual_key", search.VirtualKeys);
        f.In("config_id", search.ConfigIds);
        f.In("cache_status", search.CacheStatuses);
        f.Compare("trace_id", "=", search.TraceId);
        f.Compare("span_id", "=", search.SpanId);
        foreach (var (key, value) in search.Metadata ?? RequestLogRecord.NoMetadata)
        {
            var k = f.Add(key);
            var v = f.Add(value);
            f._conditions.Add($"EXISTS (SELECT 1 FROM json_each(request_logs.metadata) WHERE json_each.key = {k} AND json_each.value = {v})");
        }

        f.Compare("cost_micros", ">=", search.MinCostMicros);
        f.Compare("cost_micros", "<=", search.MaxCostMicros);
        f.Compare("total_ms", ">=", search.MinLatencyMs);
        f.Compare("total_ms", "<=", search.MaxLatencyMs);
        f.Compare("(input_tokens + output_tokens)", ">=", search.MinTokens);
        f.Compare("(input_tokens + output_tokens)", "<=", search.MaxTokens);
        f.Compare("input_tokens", ">=", search.MinInputTokens);
        f.Compare("input_tokens", "<=", search.MaxInputTokens);
        f.Compare("output_tokens", ">=", search.MinOutputTokens);
        f.Compare("output_tokens", "<=", search.MaxOutputTokens);
        if (!string.IsNullOrEmpty(search.Text))
        {
            // LIKE is case-insensitive for ASCII letters; the text's own % and _ are escaped so they match themselves.
            var pattern = f.Add("%" + EscapeLike(search.Text) + "%");
            f._conditions.Add($"(request_body LIKE {pattern} ESCAPE '\\' OR response_body LIKE {pattern} ESCAPE '\\')");
        }

        return f;
    }

    /// <summary>The dimension filters of a rollup query (the bucket range is the caller's).</summary>
    public static SqliteLogFilter Of(RollupQuery query)
    {
        var f = new SqliteLogFilter();
        f.Scope(query.WorkspaceIds);
        f.In("provider", query.Providers);
        f.In("model", query.Models);
        f.In("api_key_id", query.ApiKeyIds);
        f.In("virtual_key", query.VirtualKeys);
        f.In("config_id", query.ConfigIds);
        f.In("status", query.Statuses);
        f.In("cache_status", query.CacheStatuses);
        return f;
    }

    /// <summary>Only the workspaces a caller may see: every one for null, none for an empty list.</summary>
    public static SqliteLogFilter Scoped(IReadOnlyList<string>? workspaceIds)
    {
        var f = new SqliteLogFilter();
        f.Scope(workspaceIds);
        return f;
    }

    /// <summary>Adds a condition with one value; <paramref name="value"/> null adds nothing.</summary>
    public SqliteLogFilter Compare(string column, string op, object? value)
    {
        if (value is not null)
        {
            _conditions.Add($"{column} {op} {Add(value)}");
        }

        return this;
    }

    /// <summary><c>WHERE …</c>, or empty when nothing filters.</summary>
    public string Where => _conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _conditions);

    public void BindTo(SqliteCommand command)
    {
        foreach (var (name, value) in _parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    /// <summary>The same parameters for Dapper.</summary>
    public DynamicParameters ToParameters()
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in _parameters)
        {
            parameters.Add(name, value);
        }

        return parameters;
    }

    private void Scope(IReadOnlyList<string>? workspaceIds)
    {
        if (workspaceIds is null)
        {
            return;
        }

        if (workspaceIds.Count == 0)
        {
            _conditions.Add("0 = 1");
            return;
        }

        In("workspace_id", workspaceIds);
    }

    private void In<T>(string column, IReadOnlyList<T>? values)
        where T : notnull
    {
        if (values is null || values.Count == 0)
        {
            return;
        }

        _conditions.Add($"{column} IN ({string.Join(", ", values.Distinct().Select(v => Add(v)))})");
    }

    private string Add(object value)
    {
        var name = $"@f{_parameters.Count}";
        _parameters.Add((name, value));
        return name;
    }

    private static string EscapeLike(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
