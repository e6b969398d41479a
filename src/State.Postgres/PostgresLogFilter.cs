using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Switchyard.State.Postgres;

/// <summary>
/// A WHERE clause and its parameters, built from a <see cref="LogSearch"/> or a <see cref="RollupQuery"/>. Only the
/// filters given become conditions (none at all is <c>WHERE true</c>), so the planner sees plain predicates it can match
/// to indexes and partitions; every value is a parameter.
/// </summary>
internal sealed class PostgresLogFilter
{
    private readonly StringBuilder _where = new(" WHERE true");
    private readonly List<NpgsqlParameter> _parameters = [];

    public string Where => _where.ToString();

    public static PostgresLogFilter Of(LogSearch search)
    {
        var filter = new PostgresLogFilter();
        filter.Workspaces(search.WorkspaceIds);
        if (search.From is { } from)
        {
            filter.Add("created_at >= {0}", StateTime.Write(from), NpgsqlDbType.TimestampTz);
        }

        if (search.To is { } to)
        {
            filter.Add("created_at < {0}", StateTime.Write(to), NpgsqlDbType.TimestampTz);
        }

        filter.AnyOf("status", search.Statuses);
        if (search.Errors is { } errors)
        {
            filter.Condition(errors ? "(status >= 400 OR error_type IS NOT NULL)" : "(status < 400 AND error_type IS NULL)");
        }

        filter.AnyOf("provider", search.Providers);
        filter.AnyOf("coalesce(model_used, model_requested)", search.Models);
        filter.AnyOf("api_key_id", search.ApiKeyIds);
        filter.AnyOf("virtual_key", search.VirtualKeys);
        filter.AnyOf("config_id", search.ConfigIds);
        filter.AnyOf("cache_status", search.CacheStatuses);
        if (search.TraceId is { Length: > 0 } traceId)
        {
            filter.Add("trace_id = {0}", traceId, NpgsqlDbType.Text);
        }

        if (search.SpanId is { Length: > 0 } spanId)
        {
            filter.Add("span_id = {0}", spanId, NpgsqlDbType.Text);
        }

        if (search.Metadata is { Count: > 0 } metadata)
        {
            filter.Add("metadata @> {0}", StoredJson.WriteMap(metadata), NpgsqlDbType.Jsonb);
        }

        filter.Range("cost_micros", search.MinCostMicros, search.MaxCostMicros, NpgsqlDbType.Bigint);
        filter.Range("total_ms", search.MinLatencyMs, search.MaxLatencyMs, NpgsqlDbType.Double);
        filter.Range("(input_tokens::bigint + output_tokens)", search.MinTokens, search.MaxTokens, NpgsqlDbType.Integer);
        filter.Range("input_tokens", search.MinInputTokens, search.MaxInputTokens, NpgsqlDbType.Integer);
        filter.Range("output_tokens", search.MinOutputTokens, search.MaxOutputTokens, NpgsqlDbType.Integer);
        if (search.Text is { Length: > 0 } text)
        {
            filter.Add("(request_body ILIKE {0} OR response_body ILIKE {0})", "%" + EscapeLike(text) + "%", NpgsqlDbType.Text);
        }

        return filter;
    }

    public static PostgresLogFilter Of(RollupQuery query, DateTimeOffset from, DateTimeOffset to)
    {
        var filter = new PostgresLogFilter();
        filter.Workspaces(query.WorkspaceIds);
        filter.Add("bucket >= {0}", StateTime.Write(from), NpgsqlDbType.TimestampTz);
        filter.Add("bucket < {0}", StateTime.Write(to), NpgsqlDbType.TimestampTz);
        filter.AnyOf("provider", query.Providers);
        filter.AnyOf("model", query.Models);
        filter.AnyOf("api_key_id", query.ApiKeyIds);
        filter.AnyOf("virtual_key", query.VirtualKeys);
        filter.AnyOf("config_id", query.ConfigIds);
        filter.AnyOf("status", query.Statuses);
        filter.AnyOf("cache_status", query.CacheStatuses);
        return filter;
    }

    /// <summary>Scopes to <paramref name="workspaceIds"/>; null (the admin token) means every workspace.</summary>
    public void Workspaces(IReadOnlyList<string>? workspaceIds)
    {
        if (workspaceIds is not null)
        {
            AnyOf("workspace_id", workspaceIds, always: true);
        }
    }

    /// <summary>Adds <c>AND</c> <paramref name="sql"/>, where <c>{0}</c> stands for the new parameter holding <paramref name="value"/>.</summary>
    public void Add(string sql, object value, NpgsqlDbType type)
    {
        var name = "p" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        Condition(sql.Replace("{0}", "@" + name, StringComparison.Ordinal));
    }

    public void Condition(string sql) => _where.Append(" AND ").Append(sql);

    /// <summary>Adds this filter's parameters to <paramref name="command"/>.</summary>
    public void Bind(NpgsqlCommand command)
    {
        foreach (var parameter in _parameters)
        {
            command.Parameters.Add(parameter.Clone());
        }
    }

    private void AnyOf(string column, IReadOnlyList<string>? values, bool always = false)
    {
        if (values is { Count: > 0 } || (always && values is not null))
        {
            Add($"{column} = ANY({{0}})", values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
        }
    }

    private void AnyOf(string column, IReadOnlyList<int>? values)
    {
        if (values is { Count: > 0 })
        {
            Add($"{column} = ANY({{0}})", values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
        }
    }

    private void Range<T>(string column, T? min, T? max, NpgsqlDbType type)
        where T : struct
    {
        if (min is { } low)
        {
            Add($"{column} >= {{0}}", low, type);
        }

        if (max is { } high)
        {
            Add($"{column} <= {{0}}", high, type);
        }
    }

    /// <summary>The text as an ILIKE pattern matches it literally: <c>%</c>, <c>_</c> and the escape itself escaped.</summary>
    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
