namespace Switchyard.FakeProvider.Journal;

/// <summary>
/// The journal's place for one request while it is in flight. Entries are immutable records,
/// so a change swaps in a new record under the journal's lock and readers always see a whole one.
/// </summary>
internal sealed class JournalSlot(RequestJournal journal, JournalEntry entry)
{
    public JournalEntry Entry { get; set; } = entry;

    public void SetScenario(string? scenarioId)
    {
        if (scenarioId is not null)
        {
            journal.Update(this, current => current with { ScenarioId = scenarioId });
        }
    }

    public void SetStatus(int statusCode) => journal.Update(this, current => current with { StatusCode = statusCode });

    public void MarkAborted() => journal.Update(this, static current => current with { Aborted = true });
}
