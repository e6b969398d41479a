namespace Switchyard.State;

/// <summary>The names <c>quota_usage</c> stores entity kinds and meters under by both stores (stable, whatever the enums' order).</summary>
public static class QuotaText
{
    public static string Write(GovernedKind kind) => kind switch
    {
        GovernedKind.Workspace => "workspace",
        GovernedKind.ApiKey => "api_key",
        GovernedKind.VirtualKey => "virtual_key",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entity kind."),
    };

    public static GovernedKind ReadKind(string value) => value switch
    {
        "workspace" => GovernedKind.Workspace,
        "api_key" => GovernedKind.ApiKey,
        "virtual_key" => GovernedKind.VirtualKey,
        _ => throw new InvalidDataException($"quota_usage holds an unknown entity kind '{value}'."),
    };

    public static string Write(QuotaMeter meter) => meter switch
    {
        QuotaMeter.CostMicros => "cost_micros",
        QuotaMeter.BudgetTokens => "budget_tokens",
        QuotaMeter.Requests => "requests",
        QuotaMeter.Tokens => "tokens",
        QuotaMeter.Concurrent => "concurrent",
        _ => throw new ArgumentOutOfRangeException(nameof(meter), meter, "Unknown meter."),
    };

    public static QuotaMeter ReadMeter(string value) => value switch
    {
        "cost_micros" => QuotaMeter.CostMicros,
        "budget_tokens" => QuotaMeter.BudgetTokens,
        "requests" => QuotaMeter.Requests,
        "tokens" => QuotaMeter.Tokens,
        "concurrent" => QuotaMeter.Concurrent,
        _ => throw new InvalidDataException($"quota_usage holds an unknown meter '{value}'."),
    };
}
