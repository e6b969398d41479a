using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>The key of a <see cref="IVirtualKeyGrain"/>: the governed entity's kind and id, <c>api_key/key_123</c>.</summary>
public static class GovernedEntityKey
{
    public static string Of(GovernedKind kind, string entityId) => QuotaText.Write(kind) + "/" + entityId;

    public static (GovernedKind Kind, string EntityId) Parse(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not a governed entity key (kind/id).", nameof(key));
        }

        return (QuotaText.ReadKind(key[..slash]), key[(slash + 1)..]);
    }
}
