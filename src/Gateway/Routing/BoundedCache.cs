using System.Collections.Concurrent;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// Remembers the result of a pure function of request text (a config, a custom host) so a client that sends the same
/// header on every request pays for the work once. Bounded: when full it starts over, so text that varies per request
/// (or an attacker's) costs memory up to the bound and no more.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();

    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> create, TState state)
    {
        if (_entries.TryGetValue(key, out var value))
        {
            return value;
        }

        value = create(key, state);
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }

        _entries[key] = value;
        return value;
    }
}
