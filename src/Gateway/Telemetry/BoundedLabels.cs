using System.Collections.Concurrent;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// A label whose values come from outside (model names): the first <c>capacity</c> distinct values are used as they
/// are, later ones become <see cref="Other"/>, so the number of series stays bounded whatever clients send.
/// </summary>
internal sealed class BoundedLabels(int capacity)
{
    /// <summary>The value every label past the cap gets (OpenTelemetry's spelling for overflow).</summary>
    public const string Other = "_OTHER";

    private readonly ConcurrentDictionary<string, string> _seen = new(StringComparer.Ordinal);

    public string Of(string value)
    {
        if (_seen.TryGetValue(value, out var known))
        {
            return known;
        }

        // Racing callers may pass the cap by a few; the bound matters, not its exact figure.
        return _seen.Count >= capacity ? Other : _seen.GetOrAdd(value, value);
    }
}
