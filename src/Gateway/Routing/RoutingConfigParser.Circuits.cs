using System.Text.Json;

namespace Switchyard.Gateway.Routing;

internal sealed partial class RoutingConfigParser
{
    /// <summary>Polly's lower bounds for the sampling window and the break (it refuses shorter ones).</summary>
    internal const int MinimumCircuitDurationMs = 500;

    /// <summary>
    /// Reads <c>cb_config</c> with Portkey's field names (<c>failure_threshold_percentage</c>, <c>minimum_requests</c>,
    /// <c>cooldown_interval</c>, <c>failure_status_codes</c>, <c>failure_threshold</c>) and ours (<c>enabled</c>,
    /// <c>failure_ratio</c>, <c>minimum_throughput</c>, <c>sampling_duration_ms</c>, <c>break_duration_ms</c>); ours win
    /// when both spellings are given.
    /// </summary>
    private CircuitSettings? ReadCircuit(JsonElement owner, string ownerPath)
    {
        if (!TryGetValue(owner, "cb_config", out var config))
        {
            return null;
        }

        var path = $"{ownerPath}.cb_config";
        if (config.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object");
            return null;
        }

        var enabled = ReadBoolean(config, "enabled", path);
        var ratio = ReadRatio(config, "failure_ratio", path, 1);
        var percentage = ReadRatio(config, "failure_threshold_percentage", path, 100);
        var throughput = ReadThroughput(config, "minimum_throughput", path);
        var minimumRequests = ReadThroughput(config, "minimum_requests", path);

        // Portkey's failure_threshold is a count of failures; a ratio breaker reads it as that many calls in the window,
        // all of them failures (documented as a deviation in docs/gateway.md).
        var threshold = ReadThroughput(config, "failure_threshold", path);
        var sampling = ReadDuration(config, "sampling_duration_ms", path);
        var breakMs = ReadDuration(config, "break_duration_ms", path);
        var cooldown = ReadDuration(config, "cooldown_interval", path);
        var codes = ReadStatusCodes(config, "failure_status_codes", path);

        ratio ??= percentage / 100;
        if (threshold is not null && ratio is null)
        {
            ratio = 1;
        }

        return new CircuitSettings(enabled, ratio, throughput ?? minimumRequests ?? threshold, sampling, breakMs ?? cooldown, codes);
    }

    private double? ReadRatio(JsonElement owner, string key, string ownerPath, double max)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number > 0 && number <= max)
        {
            return number;
        }

        Error($"{ownerPath}.{key}", $"must be a number greater than 0 and at most {max}");
        return null;
    }

    private int? ReadThroughput(JsonElement owner, string key, string ownerPath)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (TryGetInteger(value, out var number) && number >= 2)
        {
            return number;
        }

        Error($"{ownerPath}.{key}", "must be an integer of at least 2");
        return null;
    }

    private int? ReadDuration(JsonElement owner, string key, string ownerPath)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (TryGetInteger(value, out var number) && number >= MinimumCircuitDurationMs)
        {
            return number;
        }

        Error($"{ownerPath}.{key}", $"must be an integer of at least {MinimumCircuitDurationMs} (milliseconds)");
        return null;
    }
}
