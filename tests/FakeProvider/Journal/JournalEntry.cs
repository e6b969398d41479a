namespace Switchyard.FakeProvider.Journal;

/// <summary>
/// One request the fake received, as seen at the moment the journal was read. An entry is
/// recorded when the request arrives and updated as it goes: <see cref="StatusCode"/> is set
/// when the response headers go out, <see cref="Aborted"/> when the connection goes away first.
/// </summary>
/// <param name="Sequence">Order of arrival, from 1; keeps counting across <see cref="RequestJournal.Clear"/>.</param>
/// <param name="ReceivedAt">When the request arrived.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="PathAndQuery">Path with query string, as sent.</param>
/// <param name="Headers">All request headers; keys case-insensitive, repeated values joined by ", ".</param>
/// <param name="Body">The request body as text (empty when none).</param>
/// <param name="ScenarioId">The scenario id from the directives or x-fake-scenario, or null.</param>
/// <param name="StatusCode">
/// The status sent; null while no response has started, and stays null when the client went
/// away before any response was sent (e.g. during a latency wait).
/// </param>
/// <param name="Aborted">
/// True when the connection ended before the response completed: the client went away, or the
/// fake cut or stalled the stream on purpose.
/// </param>
public sealed record JournalEntry(
    long Sequence,
    DateTimeOffset ReceivedAt,
    string Method,
    string PathAndQuery,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    string? ScenarioId,
    int? StatusCode,
    bool Aborted);
