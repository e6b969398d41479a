using System.Diagnostics.CodeAnalysis;

namespace Switchyard.FakeProvider.Faults;

/// <summary>
/// Raw directives (name to value, value null for a bare flag) from one place: the model name
/// suffix or the x-fake-fault header. Kept apart from <see cref="FaultPlan"/> so the two
/// places can be merged (header wins) before anything is validated.
/// </summary>
internal static class FaultDirectives
{
    public const string HeaderName = "x-fake-fault";
    public const string ScenarioHeaderName = "x-fake-scenario";
    public const char HeaderSeparator = ';';
    public const char ModelSeparator = '|';

    public static readonly IReadOnlyDictionary<string, string?> Empty =
        new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    public static bool TryParse(
        string? text,
        char separator,
        [NotNullWhen(true)] out IReadOnlyDictionary<string, string?>? directives,
        [NotNullWhen(false)] out string? error)
    {
        directives = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            directives = Empty;
            return true;
        }

        var parsed = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? part : part[..equals]).Trim();
            if (name.Length == 0)
            {
                error = $"fault directive '{part}' has no name";
                return false;
            }

            parsed[name] = equals < 0 ? null : part[(equals + 1)..].Trim();
        }

        directives = parsed;
        return true;
    }

    /// <summary>Directives from <paramref name="winner"/> replace those of the same name in <paramref name="loser"/>.</summary>
    public static IReadOnlyDictionary<string, string?> Merge(
        IReadOnlyDictionary<string, string?> loser,
        IReadOnlyDictionary<string, string?> winner)
    {
        if (winner.Count == 0)
        {
            return loser;
        }

        if (loser.Count == 0)
        {
            return winner;
        }

        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in loser)
        {
            merged[name] = value;
        }

        foreach (var (name, value) in winner)
        {
            merged[name] = value;
        }

        return merged;
    }
}
