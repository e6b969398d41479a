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

        var concurrent = current.MaxConcurrentRequests;
        switch (body.Field("max_concurrent_requests"))
        {
            case null:
                break;
            case { ValueKind: JsonValueKind.Null }:
                concurrent = null;
                break;
            case { ValueKind: JsonValueKind.Number } number when number.TryGetInt32(out var n) && n >= 1:
                concurrent = n;
                break;
            default:
                body.Errors.Add("max_concurrent_requests: must be an integer of at least 1, or null");
                break;
        }

        return new Limits(usage, rates, concurrent);
    }

    /// <summary>
    /// A workspace's <c>price_overrides</c> (a Switchyard extension): <c>{"provider/model" or "model": {"input_per_million",
    /// "output_per_million"}}</c> in USD. Left out keeps the current ones; <c>null</c> or <c>{}</c> clears them.
    /// </summary>
    public static IReadOnlyDictionary<string, ModelPriceOverride> ReadPriceOverrides(AdminBody body, IReadOnlyDictionary<string, ModelPriceOverride> current)
    {
        const string Path = "price_overrides";
        switch (body.Field(Path))
        {
            case null:
                return current;
            case { ValueKind: JsonValueKind.Null }:
                return Workspace.NoPriceOverrides;
            case { ValueKind: JsonValueKind.Object } map:
                var result = new Dictionary<string, ModelPriceOverride>(StringComparer.Ordinal);
                foreach (var entry in map.EnumerateObject())
                {
                    var path = $"{Path}.{entry.Name}";
                    if (entry.Name.Trim().Length == 0 || entry.Name.StartsWith('/') || entry.Name.EndsWith('/'))
                    {
                        body.Errors.Add($"{path}: the key must be <provider>/<model> or <model>");
                        continue;
                    }

                    if (entry.Value.ValueKind != JsonValueKind.Object)
                    {
                        body.Errors.Add($"{path}: must be an object with input_per_million and output_per_million");
                        continue;
                    }

                    var input = Price(body, entry.Value, path, "input_per_million");
                    var output = Price(body, entry.Value, path, "output_per_million");
                    if (input is { } i && output is { } o)
                    {
                        result[entry.Name] = new ModelPriceOverride(i, o);
                    }
                }

                return result;
            default:
                body.Errors.Add($"{Path}: must be an object keyed by <provider>/<model> or <model>");
                return current;
        }

        static decimal? Price(AdminBody body, JsonElement item, string path, string name)
        {
            if (item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var price) && price >= 0)
            {
                return price;
            }

            body.Errors.Add($"{path}.{name}: is required, a number of at least 0 (USD per million tokens)");
            return null;
        }
    }

    public static IReadOnlyDictionary<string, PriceOverrideView> PriceOverrideViews(IReadOnlyDictionary<string, ModelPriceOverride> overrides) =>
        overrides.ToDictionary(entry => entry.Key, entry => new PriceOverrideView(entry.Value.InputPerMillion, entry.Value.OutputPerMillion), StringComparer.Ordinal);

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

        var thresholds = new SortedSet<int>();
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

        if (item.TryGetProperty("alert_thresholds", out var many) && many.ValueKind != JsonValueKind.Null)
        {
            if (many.ValueKind == JsonValueKind.Array
                && many.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var n) && n >= 1))
            {
                thresholds.UnionWith(many.EnumerateArray().Select(e => e.GetInt32()));
            }
            else
            {
                body.Errors.Add($"{Path}.alert_thresholds: must be an array of integers of at least 1 (percent of the limit)");
            }
        }

        var period = BudgetPeriod.None;
        if (item.TryGetProperty("periodic_reset", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            period = p.ValueKind == JsonValueKind.String ? p.GetString() switch
            {
                "monthly" => BudgetPeriod.Monthly,
                "weekly" => BudgetPeriod.Weekly,
                "daily" => BudgetPeriod.Daily,
                _ => Invalid(body),
            } : Invalid(body);
        }

        var timeZone = "UTC";
        if (item.TryGetProperty("time_zone", out var z) && z.ValueKind != JsonValueKind.Null)
        {
            if (z.ValueKind == JsonValueKind.String && TimeZoneInfo.TryFindSystemTimeZoneById(z.GetString()!, out _))
            {
                timeZone = z.GetString()!;
            }
            else
            {
                body.Errors.Add($"{Path}.time_zone: must be an IANA time zone id such as Europe/Berlin (default UTC)");
            }
        }

        var hard = true;
        if (item.TryGetProperty("enforcement", out var e) && e.ValueKind != JsonValueKind.Null)
        {
            hard = e.ValueKind == JsonValueKind.String ? e.GetString() switch
            {
                "hard" => true,
                "soft" => false,
                _ => InvalidEnforcement(body),
            } : InvalidEnforcement(body);
        }

        string? webhook = null;
        if (item.TryGetProperty("alert_webhook_url", out var w) && w.ValueKind != JsonValueKind.Null)
        {
            if (w.ValueKind == JsonValueKind.String && Uri.TryCreate(w.GetString(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            {
                webhook = w.GetString();
            }
            else
            {
                body.Errors.Add($"{Path}.alert_webhook_url: must be an absolute http or https URL");
            }
        }

        return new UsageLimits(type == "tokens" ? null : limit, type == "tokens" ? limit : null, period, timeZone, thresholds.ToArray(), hard)
        {
            AlertWebhookUrl = webhook,
        };

        static BudgetPeriod Invalid(AdminBody body)
        {
            body.Errors.Add($"{Path}.periodic_reset: must be monthly, weekly, daily or null");
            return BudgetPeriod.None;
        }

        static bool InvalidEnforcement(AdminBody body)
        {
            body.Errors.Add($"{Path}.enforcement: must be hard or soft");
            return true;
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
            BudgetPeriod.Daily => "daily",
            _ => null,
        },
        null,
        null,
        usage.TimeZone,
        usage.Hard ? "hard" : "soft",
        usage.AlertThresholds,
        usage.AlertWebhookUrl);

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
