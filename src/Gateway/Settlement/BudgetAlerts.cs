using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Admission;
using Switchyard.State;

namespace Switchyard.Gateway.Settlement;

/// <summary>A budget crossed one of its alert thresholds (or its cap, 100%), as POSTed to the alert webhook.</summary>
public sealed record BudgetAlert(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("entity_id")] string EntityId,
    [property: JsonPropertyName("entity_name")] string EntityName,
    [property: JsonPropertyName("workspace_id")] string? WorkspaceId,
    [property: JsonPropertyName("threshold_percent")] int ThresholdPercent,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("limit")] decimal Limit,
    [property: JsonPropertyName("used")] decimal Used,
    [property: JsonPropertyName("enforcement")] string Enforcement,
    [property: JsonPropertyName("period_start")] DateTimeOffset PeriodStart,
    [property: JsonPropertyName("period_end")] DateTimeOffset? PeriodEnd,
    [property: JsonPropertyName("at")] DateTimeOffset At)
{
    [JsonIgnore]
    public string? WebhookUrl { get; init; }
}

[JsonSerializable(typeof(BudgetAlert))]
internal sealed partial class BudgetAlertJsonContext : JsonSerializerContext;

/// <summary>
/// Budget alerts: a settlement that takes a budget's settled spend across one of its thresholds (each percent in
/// <c>alert_thresholds</c>, and 100% for the cap itself) queues one alert; <see cref="DeliverAsync"/> POSTs queued alerts
/// to the budget's webhook (or the host's default) with retries and exponential back-off. The bank reports each
/// batch of spend its grain recorded with the used before and after it, so exactly one batch (and one front door) sees each crossing.
/// </summary>
public sealed partial class BudgetAlerts
{
    private readonly Channel<BudgetAlert> _queue = Channel.CreateBounded<BudgetAlert>(new BoundedChannelOptions(10_000)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    private readonly GatewayOptions _options;
    private readonly ILogger<BudgetAlerts> _logger;
    private readonly TimeProvider _time;

    public BudgetAlerts(IOptions<GatewayOptions> options, ILogger<BudgetAlerts> logger, TimeProvider time)
    {
        _options = options.Value;
        _logger = logger;
        _time = time;
    }

    /// <summary>Queues an alert for every threshold of <paramref name="held"/>'s budget that <paramref name="change"/> crossed.</summary>
    internal void Observe(HeldClaim held, QuotaChange change, DateTimeOffset now)
    {
        if (held is not { AlertCap: { } cap, Budget: { } budget } || cap <= 0 || change.UsedAfter <= change.UsedBefore)
        {
            return; // not a budget with a cap, or nothing spent: nothing crossed
        }

        var thresholds = budget.AlertThresholds;
        for (var t = 0; t < thresholds.Count; t++)
        {
            if (thresholds[t] != 100 && IndexOf(thresholds, thresholds[t]) == t)
            {
                Check(held, change, budget, thresholds[t], cap, now);
            }
        }

        Check(held, change, budget, 100, cap, now); // the cap itself always alerts, once
    }

    private void Check(HeldClaim held, QuotaChange change, UsageLimits budget, int percent, long cap, DateTimeOffset now)
    {
        var mark = cap * (decimal)percent / 100m;
        if (change.UsedBefore < mark && change.UsedAfter >= mark)
        {
            Enqueue(held, change, budget, percent, cap, now);
        }
    }

    private static int IndexOf(IReadOnlyList<int> values, int value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Sends queued alerts until <paramref name="stoppingToken"/> fires; run by the host as a background service.</summary>
    public async Task DeliverAsync(HttpClient client, CancellationToken stoppingToken)
    {
        await foreach (var alert in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await SendAsync(client, alert, stoppingToken);
        }
    }

    /// <summary>Alerts waiting to be sent (tests and health).</summary>
    public int Pending => _queue.Reader.Count;

    private async Task SendAsync(HttpClient client, BudgetAlert alert, CancellationToken stoppingToken)
    {
        var url = alert.WebhookUrl!;
        var delay = _options.AlertRetryBaseDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await client.PostAsJsonAsync(url, alert, BudgetAlertJsonContext.Default.BudgetAlert, stoppingToken);
                if (response.IsSuccessStatusCode)
                {
                    LogDelivered(_logger, alert.Level, alert.EntityId, alert.ThresholdPercent, attempt);
                    return;
                }

                LogAttemptFailed(_logger, alert.Level, alert.EntityId, attempt, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                LogAttemptFailed(_logger, alert.Level, alert.EntityId, attempt, ex.GetType().Name);
            }

            if (attempt >= _options.AlertDeliveryAttempts)
            {
                LogGaveUp(_logger, alert.Level, alert.EntityId, alert.ThresholdPercent, attempt);
                return;
            }

            await Task.Delay(delay, _time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(5).Ticks));
        }
    }

    private void Enqueue(HeldClaim held, QuotaChange change, UsageLimits budget, int percent, long cap, DateTimeOffset now)
    {
        var url = budget.AlertWebhookUrl ?? _options.AlertWebhookUrl;
        var usd = held.Claim.Window.Meter == QuotaMeter.CostMicros;
        LogCrossed(_logger, held.Owner.Level, held.Owner.Id, percent, url is not null);
        if (url is null)
        {
            return;
        }

        _queue.Writer.TryWrite(new BudgetAlert(
            percent >= 100 ? "budget.exhausted" : "budget.threshold",
            held.Owner.Level,
            held.Owner.Id,
            held.Owner.Name,
            held.Owner.WorkspaceId,
            percent,
            usd ? "usd" : "tokens",
            usd ? cap / 1_000_000m : cap,
            usd ? change.UsedAfter / 1_000_000m : change.UsedAfter,
            budget.Hard ? "hard" : "soft",
            change.Window.Start,
            change.Window.End,
            now)
        {
            WebhookUrl = url,
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Budget of {Level} {EntityId} crossed {Percent}% (webhook configured: {HasWebhook})")]
    private static partial void LogCrossed(ILogger logger, string level, string entityId, int percent, bool hasWebhook);

    [LoggerMessage(Level = LogLevel.Information, Message = "Budget alert for {Level} {EntityId} at {Percent}% delivered on attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, string level, string entityId, int percent, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert for {Level} {EntityId}: attempt {Attempt} failed ({Reason})")]
    private static partial void LogAttemptFailed(ILogger logger, string level, string entityId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Budget alert for {Level} {EntityId} at {Percent}% dropped after {Attempts} attempts")]
    private static partial void LogGaveUp(ILogger logger, string level, string entityId, int percent, int attempts);
}
