using System.Text;

namespace Switchyard.FakeProvider.Content;

/// <summary>
/// FNV-1a over UTF-8 plus a SplitMix64 step. string.GetHashCode is randomized per process and
/// System.Random's sequence is an implementation detail, so neither may shape a fake reply:
/// the same request must get the same bytes in every run, on every machine.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Of(string text)
    {
        var hash = OffsetBasis;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    public static string Hex(string text) => Of(text).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static ulong Mix(ulong seed, ulong step)
    {
        var z = seed + ((step + 1) * 0x9E3779B97F4A7C15);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
