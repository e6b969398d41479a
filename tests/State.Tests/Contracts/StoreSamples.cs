namespace Switchyard.State.Tests.Contracts;

/// <summary>Records the contracts write: fully populated, so a column a backend forgets shows up as a failed round trip.</summary>
public static class StoreSamples
{
    /// <summary>Whole seconds, UTC: the plain case. Precision and offsets have their own tests.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A slug no other test in the shared store uses.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static Limits FullLimits { get; } = new(
        new UsageLimits(12345.678901m, 2_000_000, BudgetPeriod.Monthly, "Europe/Berlin", [50, 80, 95], true) { AlertWebhookUrl = "https://hooks.example.com/budget" },
        [new RateLimit(RateLimitKind.Requests, RateLimitUnit.PerMinute, 60), new RateLimit(RateLimitKind.Tokens, RateLimitUnit.PerDay, 5_000_000)],
        10);

    public static Workspace NewWorkspace(string? slug = null) => new(
        $"ws_{Guid.NewGuid():N}", slug ?? Unique("team"), "Team", "the team", new Dictionary<string, string> { ["team"] = "platform", ["env"] = "prod" },
        FullLimits, false, Now, Now)
    {
        PriceOverrides = new Dictionary<string, ModelPriceOverride> { ["openai/gpt-4o-mini"] = new(0.15m, 0.6m) },
        Logging = new LogPolicy(LogBodies.Redacted, 90),
    };

    public static ApiKey NewApiKey(string workspaceId) => new(
        $"key_{Guid.NewGuid():N}", workspaceId, "ci key", "used by CI", $"hash-{Guid.NewGuid():N}", "sk-sy-ab…yz",
        ["completions.write", "configs.read"], ["gpt-4o-mini", "claude-sonnet-4"], ["openai"], "default-routing",
        new Dictionary<string, string> { ["_user"] = "ci" }, FullLimits, Now.AddDays(30), null, Now, Now);

    public static VirtualKey NewVirtualKey(string workspaceId, string? slug = null) => new(
        $"vk_{Guid.NewGuid():N}", workspaceId, slug ?? Unique("openai"), "OpenAI prod", "openai",
        new SealedSecret("k1", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [4, 5, 6, 0, 255], Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()),
        "sk-…abcd", new Dictionary<string, string> { ["openai_organization"] = "org-1" }, "a note", FullLimits, Now.AddDays(90), Now, Now);

    public static SavedConfig NewConfig(string workspaceId, string? slug = null, string json = """{"strategy":{"mode":"fallback"},"targets":[{"virtual_key":"openai-prod"}]}""") => new(
        $"pc_{Guid.NewGuid():N}", workspaceId, slug ?? Unique("routing"), "Routing", json, 0, false, Now, Now);
}
