using System.Text.Json;
using Switchyard.State;

namespace Switchyard.FrontDoor.Admin;

/// <summary>Portkey's <c>usage_limits</c> and <c>rate_limits</c> to <see cref="Limits"/> and back.</summary>
internal static class LimitsJson
{
    /// <summary>
    /// Reads the limits a body sets, starting from <paramref name="current"/>: a field left out keeps its value,
    /// <c>null</c> clears it. Each may be one object or an array (workspaces send arrays).
    /// </summary>
    public static Limits Read(AdminBody body, Limits current)
    {
        var usage = current.Usage;
        if (body.Field("usage_limits") is { } usageField)
        {
            usage = ReadUsage(body, usageField);
        }

        var rates = current.Rates;
        if (body.Field("rate_limits") is { } rateField)
        {
            rates = ReadRates(body, rateField);
        }

        return current with { Usage = usage, Rates = rates };
    }

    private static UsageLimits? ReadUsage(AdminBody body, JsonElement field)
    {
        const string Path = "usage_limits";
        JsonElement item;
        switch (field.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object:
                item = field;
                break;
            case JsonValueKind.Array when field.GetArrayLength() == 0:
                return null;
            case JsonValueKind.Array when field.GetArrayLength() == 1 && field[0].ValueKind == JsonValueKind.Object:
                item = field[0];
                break;
            case JsonValueKind.Array:
                body.Errors.Add($"{Path}: only one usage limit per entity is supported");
                return null;
            default:
                body.Errors.Add($"{Path}: must be an object (or an array of one)");
                return null;
        }

        var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "cost";
        if (type is not ("cost" or "tokens"))
        {
            body.Errors.Add($"{Path}.type: must be cost or tokens");
        }

        long? limit = null;
        if (item.TryGetProperty("credit_limit", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var n) && n >= 1)
        {
            limit = n;
        }
        else
        {
            body.Errors.Add($"{Path}.credit_limit: is required, an integer of at least 1");
        }

        var thresholds = new List<int>();
        if (item.TryGetProperty("alert_threshold", out var a) && a.ValueKind != JsonValueKind.Null)
        {
            if (a.ValueKind == JsonValueKind.Number && a.TryGetInt32(out var threshold) && threshold >= 1)
            {
                thresholds.Add(threshold);
            }
            else
            {
                body.Errors.Add($"{Path}.alert_threshold: must be an integer of at least 1");
            }
        }

        var period = BudgetPeriod.None;
        if (item.TryGetProperty("periodic_reset", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            period = p.ValueKind == JsonValueKind.String ? p.GetString() switch
            {
                "monthly" => BudgetPeriod.Monthly,
                "weekly" => BudgetPeriod.Weekly,
                _ => Invalid(body),
            } : Invalid(body);
        }

        return new UsageLimits(type == "tokens" ? null : limit, type == "tokens" ? limit : null, period, "UTC", thresholds, Hard: true);

        static BudgetPeriod Invalid(AdminBody body)
        {
            body.Errors.Add($"{Path}.periodic_reset: must be monthly, weekly or null");
            return BudgetPeriod.None;
        }
    }

    private static IReadOnlyList<RateLimit> ReadRates(AdminBody body, JsonElement field)
    {
        const string Path = "rate_limits";
        var items = field.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Object => [field],
            JsonValueKind.Array => field.EnumerateArray().ToArray(),
            _ => null,
        };
        if (items is null)
        {
            body.Errors.Add($"{Path}: must be an array of rate limits (or one object)");
            return [];
        }

        var rates = new List<RateLimit>();
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var path = $"{Path}[{i}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                body.Errors.Add($"{path}: must be an object");
                continue;
            }

            RateLimitKind? kind = Text(item, "type") switch
            {
                "requests" => RateLimitKind.Requests,
                "tokens" => RateLimitKind.Tokens,
                _ => null,
            };
            RateLimitUnit? unit = Text(item, "unit") switch
            {
                "rpm" => RateLimitUnit.PerMinute,
                "rph" => RateLimitUnit.PerHour,
                "rpd" => RateLimitUnit.PerDay,
                _ => null,
            };
            long? value = item.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 1 ? n : null;
            if (kind is null)
            {
                body.Errors.Add($"{path}.type: must be requests or tokens");
            }

            if (unit is null)
            {
                body.Errors.Add($"{path}.unit: must be rpm, rph or rpd");
            }

            if (value is null)
            {
                body.Errors.Add($"{path}.value: is required, an integer of at least 1");
            }

            if (kind is { } k && unit is { } u && value is { } count)
            {
                rates.Add(new RateLimit(k, u, count));
            }
        }

        return rates;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static UsageLimitsView? UsageView(Limits limits) => limits.Usage is not { } usage ? null : new UsageLimitsView(
        usage.TokenLimit ?? (long)(usage.CostLimitUsd ?? 0),
        usage.TokenLimit is null ? "cost" : "tokens",
        usage.AlertThresholds.Count > 0 ? usage.AlertThresholds[0] : null,
        usage.Period switch
        {
            BudgetPeriod.Monthly => "monthly",
            BudgetPeriod.Weekly => "weekly",
            _ => null,
        },
        null,
        null);

    public static IReadOnlyList<RateLimitView> RateViews(Limits limits) => limits.Rates.Select(rate => new RateLimitView(
        rate.Kind == RateLimitKind.Tokens ? "tokens" : "requests",
        rate.Unit switch
        {
            RateLimitUnit.PerHour => "rph",
            RateLimitUnit.PerDay => "rpd",
            _ => "rpm",
        },
        rate.Value)).ToArray();
}
