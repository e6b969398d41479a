using Switchyard.FrontDoor.Admin;
using Switchyard.State;

namespace Switchyard.FrontDoor.Observability;

/// <summary>
/// One analytics request, read and scoped: its filters, its range aligned to whole buckets of the grain the range
/// calls for, and the workspaces it may see. It fetches totals from the rollups, or from records when a filter needs
/// them (<see cref="AnalyticsTotals"/>).
/// </summary>
internal sealed class AnalyticsQuestion
{
    /// <summary>The longest range one question may span.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(LogPolicy.MaxRetentionDays);

    private AnalyticsQuestion(IRequestLogStore store, LogFilters filters, LogSearch search, RollupGrain grain, DateTimeOffset from, DateTimeOffset to)
    {
        Store = store;
        Filters = filters;
        Search = search;
        Grain = grain;
        From = from;
        To = to;
    }

    public IRequestLogStore Store { get; }

    public LogFilters Filters { get; }

    /// <summary>The filters as a search over the aligned range, scoped to the caller's workspaces.</summary>
    public LogSearch Search { get; }

    public RollupGrain Grain { get; }

    public DateTimeOffset From { get; }

    public DateTimeOffset To { get; }

    public IReadOnlyList<string>? WorkspaceIds => Search.WorkspaceIds;

    public static async Task<(AnalyticsQuestion? Question, IResult? Problem)> ReadAsync(
        HttpRequest request, IKeyStore keys, RequestLogAccess logs, CancellationToken cancellationToken)
    {
        var filters = LogFilters.FromQuery(request.Query);
        var search = filters.ToSearch(paged: false);
        var range = filters.RequiredRange(search);
        if (range is { } r && r.To - r.From > MaxRange)
        {
            filters.Errors.Add($"time_of_generation_max: the range may span at most {LogPolicy.MaxRetentionDays} days");
        }

        if (filters.Errors.Count > 0)
        {
            return (null, AdminResults.Invalid(filters.Errors));
        }

        var (read, problem) = await logs.ForReadAsync(keys, request, null, cancellationToken);
        if (read is null)
        {
            return (null, problem!);
        }

        var (store, workspaces) = read;

        var grain = AnalyticsTotals.GrainFor(range!.Value.From, range.Value.To);
        var (from, to) = AnalyticsTotals.Align(range.Value.From, range.Value.To, grain);
        return (new AnalyticsQuestion(store, filters, search with { WorkspaceIds = workspaces, From = from, To = to }, grain, from, to), null);
    }

    /// <summary>Totals by bucket (or over the whole range) and the dimensions given; with the latency histogram only when <paramref name="latency"/>.</summary>
    public async Task<IReadOnlyList<RollupRow>> RowsAsync(
        bool byBucket, IReadOnlyList<RollupDimension> groupBy, bool latency, CancellationToken cancellationToken)
    {
        var query = new RollupQuery
        {
            WorkspaceIds = Search.WorkspaceIds,
            From = From,
            To = To,
            Grain = Grain,
            ByBucket = byBucket,
            GroupBy = groupBy,
            Latency = latency,
            Providers = Search.Providers,
            Models = Search.Models,
            ApiKeyIds = Search.ApiKeyIds,
            VirtualKeys = Search.VirtualKeys,
            ConfigIds = Search.ConfigIds,
            Statuses = Search.Statuses,
            CacheStatuses = Search.CacheStatuses,
        };
        return Filters.NeedsRecords
            ? AnalyticsTotals.Aggregate(await RecordsAsync(cancellationToken), query)
            : await Store.RollupsAsync(query, cancellationToken);
    }

    /// <summary>Every matching record of the range, the filters rollups cannot answer applied.</summary>
    public async Task<IReadOnlyList<RequestLogRecord>> RecordsAsync(CancellationToken cancellationToken)
    {
        var users = Filters.Users is { } u ? u.ToHashSet(StringComparer.Ordinal) : null;
        Dictionary<string, double>? weighted = null;
        if (Filters.MinWeightedFeedback is not null || Filters.MaxWeightedFeedback is not null)
        {
            weighted = WeightedByTrace(await Store.ListFeedbackAsync(WorkspaceIds, null, null, null, cancellationToken));
        }

        var records = new List<RequestLogRecord>();
        await foreach (var record in Store.ReadAllAsync(Search, cancellationToken))
        {
            if (users is not null && (record.User is null || !users.Contains(record.User)))
            {
                continue;
            }

            if (weighted is not null)
            {
                if (!weighted.TryGetValue(record.TraceId, out var score)
                    || score < (Filters.MinWeightedFeedback ?? double.MinValue) || score > (Filters.MaxWeightedFeedback ?? double.MaxValue))
                {
                    continue;
                }
            }

            records.Add(record);
        }

        return records;
    }

    /// <summary>Feedback given in the range (by when it was given), in the caller's workspaces.</summary>
    public Task<IReadOnlyList<LogFeedback>> FeedbackAsync(CancellationToken cancellationToken) =>
        Store.ListFeedbackAsync(WorkspaceIds, From, To, Search.TraceId, cancellationToken);

    /// <summary>Each trace's weighted feedback: the average of value × weight over its feedback.</summary>
    public static Dictionary<string, double> WeightedByTrace(IEnumerable<LogFeedback> feedback) =>
        feedback.GroupBy(f => f.TraceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Average(f => f.Value * f.Weight), StringComparer.Ordinal);
}
