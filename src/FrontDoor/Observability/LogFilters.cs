using System.Globalization;
using System.Text.Json;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// The filters a log search, an export and an analytics question share, read from Portkey's parameter names (and
/// Switchyard's shorter ones) into a <see cref="LogSearch"/>. One reader serves the query string and an export's
/// <c>filters</c> object, so the same names mean the same thing everywhere. Every problem is collected, named by its
/// parameter, so one 400 lists them all.
/// </summary>
internal sealed class LogFilters
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Portkey counts cost in cents; records keep micro-dollars.</summary>
    public const long MicrosPerCent = 10_000;

    private readonly Func<string, string?> _value;

    private LogFilters(Func<string, string?> value) => _value = value;

    public List<string> Errors { get; } = [];

    /// <summary>True when the caller gave a filter the rollups cannot answer (analytics then reads records).</summary>
    public bool NeedsRecords { get; private set; }

    /// <summary>Portkey's <c>_user</c> metadata values asked for (<c>users</c>/<c>user</c>, CSV); records only.</summary>
    public IReadOnlyList<string>? Users { get; private set; }

    /// <summary><c>weighted_feedback_min</c>/<c>_max</c>: a trace's average of value × weight; records and feedback only.</summary>
    public double? MinWeightedFeedback { get; private set; }

    public double? MaxWeightedFeedback { get; private set; }

    public static LogFilters FromQuery(IQueryCollection query) =>
        new(name => query.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } text ? text : null);

    public static LogFilters FromDictionary(IReadOnlyDictionary<string, string> values) =>
        new(name => values.TryGetValue(name, out var text) && text.Length > 0 ? text : null);

    /// <summary>An export's <c>filters</c> object: arrays become CSV, objects (<c>metadata</c>) their JSON text.</summary>
    public static LogFilters FromJson(JsonElement filters)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in filters.EnumerateObject())
        {
            var text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Array => string.Join(',', property.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                JsonValueKind.Null => string.Empty,
                _ => property.Value.GetRawText(),
            };
            values[property.Name] = text;
        }

        return FromDictionary(values);
    }

    /// <summary>The search the filters describe (workspaces are the caller's business, not the filters').</summary>
    public LogSearch ToSearch(bool paged)
    {
        var from = Time("time_of_generation_min") ?? Time("from");
        var to = Time("time_of_generation_max") ?? Time("to");
        if (from is { } f && to is { } t && f >= t)
        {
            Errors.Add("time_of_generation_max: must be later than time_of_generation_min");
        }

        var (statuses, errors) = StatusFilter();
        var models = List("ai_model") ?? List("model") ?? List("models");
        var providers = List("provider") ?? List("providers") ?? List("ai_org") ?? List("ai_service");
        if (List("ai_org_model") is { } pairs)
        {
            // Portkey's "openai__gpt-4o": the provider and the model, joined by two underscores.
            var pairModels = new List<string>();
            var pairProviders = new List<string>();
            foreach (var pair in pairs)
            {
                var split = pair.IndexOf("__", StringComparison.Ordinal);
                if (split <= 0 || split + 2 >= pair.Length)
                {
                    Errors.Add($"ai_org_model: '{pair}' must be provider__model");
                    continue;
                }

                pairProviders.Add(pair[..split]);
                pairModels.Add(pair[(split + 2)..]);
            }

            providers = [.. providers ?? [], .. pairProviders.Distinct(StringComparer.Ordinal)];
            models = [.. models ?? [], .. pairModels.Distinct(StringComparer.Ordinal)];
        }

        var metadata = Metadata();
        var users = List("users") ?? List("user");
        var traceId = Text("trace_id");
        var spanId = Text("span_id");
        var minCost = Cents("cost_min");
        var maxCost = Cents("cost_max");
        var minLatency = Decimal("response_time_min") ?? Decimal("latency_min");
        var maxLatency = Decimal("response_time_max") ?? Decimal("latency_max");
        var minTokens = Whole("total_units_min") ?? Whole("tokens_min");
        var maxTokens = Whole("total_units_max") ?? Whole("tokens_max");
        var minInput = Whole("prompt_token_min");
        var maxInput = Whole("prompt_token_max");
        var minOutput = Whole("completion_token_min");
        var maxOutput = Whole("completion_token_max");
        var text = Text("q");
        MinWeightedFeedback = Decimal("weighted_feedback_min");
        MaxWeightedFeedback = Decimal("weighted_feedback_max");
        Users = users;
        NeedsRecords = metadata is not null || users is not null || traceId is not null || spanId is not null || errors is not null
            || minCost is not null || maxCost is not null || minLatency is not null || maxLatency is not null
            || minTokens is not null || maxTokens is not null || minInput is not null || maxInput is not null
            || minOutput is not null || maxOutput is not null || text is not null
            || MinWeightedFeedback is not null || MaxWeightedFeedback is not null;

        var limit = DefaultPageSize;
        string? before = null;
        if (paged)
        {
            limit = Whole("page_size") ?? Whole("pageSize") ?? DefaultPageSize;
            if (limit is < 1 or > MaxPageSize)
            {
                Errors.Add($"page_size: must be between 1 and {MaxPageSize}");
            }

            before = Text("cursor");
            if (before is not null && (before.Length != 32 || !before.All(char.IsAsciiHexDigit)))
            {
                Errors.Add("cursor: must be the next_cursor of a previous page");
            }
        }

        return new LogSearch
        {
            From = from,
            To = to,
            Statuses = statuses,
            Errors = errors,
            Providers = providers,
            Models = models,
            ApiKeyIds = List("api_key_ids") ?? List("api_key_id") ?? List("api_key"),
            VirtualKeys = List("virtual_keys") ?? List("virtual_key"),
            ConfigIds = List("configs") ?? List("config") ?? List("config_id"),
            CacheStatuses = List("cache_status")?.Select(s => s.Replace('_', ' ').ToUpperInvariant()).ToArray(),
            TraceId = traceId,
            SpanId = spanId,
            Metadata = metadata,
            MinCostMicros = minCost,
            MaxCostMicros = maxCost,
            MinLatencyMs = minLatency,
            MaxLatencyMs = maxLatency,
            MinTokens = minTokens,
            MaxTokens = maxTokens,
            MinInputTokens = minInput,
            MaxInputTokens = maxInput,
            MinOutputTokens = minOutput,
            MaxOutputTokens = maxOutput,
            Text = text,
            Before = before,
            Limit = Math.Clamp(limit, 1, MaxPageSize),
        };
    }

    /// <summary>The time range of an analytics question: both ends are required, as Portkey requires them.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? RequiredRange(LogSearch search)
    {
        if (search.From is null)
        {
            Errors.Add("time_of_generation_min: is required (an ISO 8601 date-time)");
        }

        if (search.To is null)
        {
            Errors.Add("time_of_generation_max: is required (an ISO 8601 date-time)");
        }

        return search.From is { } from && search.To is { } to ? (from, to) : null;
    }

    public string? Text(string name) => _value(name);

    /// <summary><c>status_code</c> or <c>status</c>: a CSV of HTTP statuses, or <c>success</c>/<c>error</c>.</summary>
    private (IReadOnlyList<int>? Statuses, bool? Errors) StatusFilter()
    {
        var name = Text("status_code") is not null ? "status_code" : "status";
        if (List(name) is not { } items)
        {
            return (null, null);
        }

        var statuses = new List<int>();
        bool? errors = null;
        foreach (var item in items)
        {
            if (item.Equals("success", StringComparison.OrdinalIgnoreCase))
            {
                errors = false;
            }
            else if (item.Equals("error", StringComparison.OrdinalIgnoreCase) || item.Equals("failure", StringComparison.OrdinalIgnoreCase))
            {
                errors = true;
            }
            else if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 999)
            {
                statuses.Add(status);
            }
            else
            {
                Errors.Add($"{name}: '{item}' must be an HTTP status, success or error");
            }
        }

        return (statuses.Count > 0 ? statuses : null, errors);
    }

    /// <summary>
    /// <c>metadata</c> as Portkey sends it (a JSON object string) or as a person types it (<c>key=value</c>, several
    /// joined by commas).
    /// </summary>
    private IReadOnlyDictionary<string, string>? Metadata()
    {
        if (Text("metadata") is not { } text)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
            catch (JsonException)
            {
                Errors.Add("metadata: must be a JSON object of strings or key=value pairs");
            }
        }
        else
        {
            foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    Errors.Add($"metadata: '{pair}' must be key=value");
                    continue;
                }

                result[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return result.Count > 0 ? result : null;
    }

    private IReadOnlyList<string>? List(string name) =>
        Text(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } items ? items : null;

    private DateTimeOffset? Time(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant.ToUniversalTime();
        }

        Errors.Add($"{name}: must be an ISO 8601 date-time");
        return null;
    }

    private int? Whole(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        Errors.Add($"{name}: must be a whole number of at least 0");
        return null;
    }

    private double? Decimal(string name)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n))
        {
            return n;
        }

        Errors.Add($"{name}: must be a number");
        return null;
    }

    private long? Cents(string name) => Decimal(name) is { } cents ? (long)Math.Round(cents * MicrosPerCent) : null;
}
