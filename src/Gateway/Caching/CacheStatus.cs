using Switchyard.State;

namespace Switchyard.Gateway.Caching;

/// <summary>The values of <c>x-portkey-cache-status</c>, Portkey's spelling.</summary>
public static class CacheStatus
{
    public const string Hit = "HIT";
    public const string SemanticHit = "SEMANTIC HIT";
    public const string Miss = "MISS";
    public const string SemanticMiss = "SEMANTIC MISS";
    public const string Refresh = "REFRESH";
    public const string Disabled = "DISABLED";

    public static string Of(CacheOutcome outcome) => outcome switch
    {
        CacheOutcome.Hit => Hit,
        CacheOutcome.SemanticHit => SemanticHit,
        CacheOutcome.Miss => Miss,
        CacheOutcome.SemanticMiss => SemanticMiss,
        _ => Refresh,
    };
}
