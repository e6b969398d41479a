using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Journal;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>
/// <c>/__fake/...</c>: the journal and scenario counters over HTTP, for tests and benchmarks
/// that run the fake as a separate process. These requests are not journaled themselves.
/// </summary>
internal sealed class ControlApi(RequestJournal journal, ScenarioCounter scenarios)
{
    public const string PathPrefix = "/__fake";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = (request.Path.Value ?? "").TrimEnd('/');
        if (path == "/requests" && HttpMethods.IsGet(request.Method))
        {
            var scenario = request.Query["scenario"].ToString();
            var entries = scenario.Length == 0 ? journal.Entries : journal.ForScenario(scenario);
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, entries, JournalJsonContext.Readable.IReadOnlyListJournalEntry, context.RequestAborted);
        }
        else if (path == "/requests" && HttpMethods.IsDelete(request.Method))
        {
            journal.Clear();
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        else if (path == "/scenarios" && HttpMethods.IsDelete(request.Method))
        {
            scenarios.Reset();
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
