using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// The <c>usage</c> extension field of workspace, API key and virtual key reads: what the entity used in its current
/// windows, from the quota bank's spend ledger. Without a registered <see cref="IQuotaBank"/> reads leave it out, and
/// while the entity's grain cannot be reached (its silo died and it is moving) they leave it out too rather than fail.
/// </summary>
internal sealed partial class AdminUsage(IServiceProvider services, TimeProvider time, ILogger<AdminUsage> logger)
{
    private readonly IQuotaBank? _bank = services.GetService<IQuotaBank>();

    public async Task<UsageView?> ForAsync(GovernedKind kind, string entityId, Limits limits, CancellationToken cancellationToken)
    {
        if (_bank is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        IReadOnlyList<QuotaUsage> rows;
        try
        {
            rows = await _bank.UsageAsync(kind, entityId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogUsageUnavailable(logger, QuotaText.Write(kind), entityId, ex);
            return null;
        }

        var current = rows.Where(row => row.Window.Start <= now && (row.Window.End is null || now < row.Window.End)).ToList();
        return new UsageView(IsExhausted(limits, current) ? "exhausted" : "active", current.Select(Window).ToArray());
    }

    /// <summary>A hard budget whose current period's settled spend reached the cap (Portkey's <c>status: exhausted</c>).</summary>
    private static bool IsExhausted(Limits limits, IReadOnlyList<QuotaUsage> current) =>
        limits.Usage is { Hard: true } usage && current.Any(row => row.Window.Meter switch
        {
            QuotaMeter.CostMicros => usage.CostLimitUsd is { } usd && row.Used >= (long)(usd * 1_000_000m),
            QuotaMeter.BudgetTokens => usage.TokenLimit is { } tokens && row.Used >= tokens,
            _ => false,
        });

    private static UsageWindowView Window(QuotaUsage row)
    {
        var (meter, scale) = row.Window.Meter switch
        {
            QuotaMeter.CostMicros => ("cost_usd", 1_000_000m),
            QuotaMeter.BudgetTokens => ("budget_tokens", 1m),
            QuotaMeter.Requests => ("requests", 1m),
            QuotaMeter.Tokens => ("tokens", 1m),
            _ => ("concurrent_requests", 1m),
        };
        return new UsageWindowView(meter, row.Window.Start, row.Window.End, row.Used / scale, row.Reserved / scale);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The usage of {Kind} {EntityId} cannot be read now; the read leaves it out")]
    private static partial void LogUsageUnavailable(ILogger logger, string kind, string entityId, Exception exception);
}
