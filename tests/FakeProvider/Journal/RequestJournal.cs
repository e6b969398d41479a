namespace Switchyard.FakeProvider.Journal;

/// <summary>
/// The requests the fake received, newest last, for test assertions. Thread-safe; keeps the
/// last <see cref="Capacity"/> requests so a long benchmark run does not grow without bound.
/// </summary>
public sealed class RequestJournal
{
    /// <summary>How many requests are kept; older ones are dropped first.</summary>
    public const int Capacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Queue<JournalSlot> _slots = new();
    private long _lastSequence;

    internal RequestJournal()
    {
    }

    /// <summary>A snapshot of all kept requests in order of arrival.</summary>
    public IReadOnlyList<JournalEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return _slots.Select(slot => slot.Entry).ToArray();
            }
        }
    }

    /// <summary>A snapshot of the kept requests whose scenario id is <paramref name="id"/> (ordinal match).</summary>
    public IReadOnlyList<JournalEntry> ForScenario(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            return _slots.Select(slot => slot.Entry).Where(entry => entry.ScenarioId == id).ToArray();
        }
    }

    /// <summary>Forgets every kept request. Requests still in flight are no longer reported.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _slots.Clear();
        }
    }

    internal JournalSlot Record(
        DateTimeOffset receivedAt,
        string method,
        string pathAndQuery,
        IReadOnlyDictionary<string, string> headers,
        string body,
        string? scenarioId)
    {
        lock (_gate)
        {
            var slot = new JournalSlot(this, new JournalEntry(
                ++_lastSequence, receivedAt, method, pathAndQuery, headers, body, scenarioId, StatusCode: null, Aborted: false));
            _slots.Enqueue(slot);
            while (_slots.Count > Capacity)
            {
                _slots.Dequeue();
            }

            return slot;
        }
    }

    internal void Update(JournalSlot slot, Func<JournalEntry, JournalEntry> change)
    {
        lock (_gate)
        {
            slot.Entry = change(slot.Entry);
        }
    }
}
