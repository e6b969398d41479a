using System.Collections.ObjectModel;
using Microsoft.Extensions.Primitives;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Journal;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>
/// Middleware in front of every wire format: reads the body, records the request in the
/// journal, parses the header directives and watches for the connection going away.
/// </summary>
internal sealed class RequestIntake(RequestJournal journal, ScenarioCounter scenarios, TimeProvider time, CancellationToken stopping)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var receivedAt = time.GetUtcNow();
        var request = context.Request;
        var aborted = false;
        string body;
        try
        {
            using var reader = new StreamReader(request.Body);
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            body = "";
            aborted = true;
        }

        HeaderDirectives(request.Headers, out var headerDirectives, out var headerError);
        var slot = journal.Record(
            receivedAt,
            request.Method,
            $"{request.PathBase}{request.Path}{request.QueryString}",
            Headers(request.Headers),
            body,
            ScenarioOf(headerDirectives));
        if (aborted)
        {
            slot.MarkAborted();
            return;
        }

        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        using var abortWatch = context.RequestAborted.Register(static state => ((JournalSlot)state!).MarkAborted(), slot);
        context.Response.OnStarting(static state =>
        {
            var (slot, response) = ((JournalSlot, HttpResponse))state;

            // After the client left, Kestrel still "starts" the default response while unwinding;
            // nothing reaches the wire, so the journal keeps the status null.
            if (!response.HttpContext.RequestAborted.IsCancellationRequested)
            {
                slot.SetStatus(response.StatusCode);
            }

            return Task.CompletedTask;
        }, (slot, context.Response));

        context.Features.Set(new FakeExchange
        {
            Body = body,
            Slot = slot,
            Cancellation = cancellation.Token,
            Time = time,
            Scenarios = scenarios,
            HeaderDirectives = headerDirectives,
            HeaderDirectiveError = headerError,
        });

        try
        {
            await next(context);
        }
        catch (Exception exception) when (cancellation.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            // The client went away or the fake is stopping: nothing is left to answer, and
            // letting this escape would only put an error in the log.
        }
    }

    private static void HeaderDirectives(
        IHeaderDictionary headers,
        out IReadOnlyDictionary<string, string?>? directives,
        out string? error)
    {
        directives = null;
        if (!FaultDirectives.TryParse(headers[FaultDirectives.HeaderName].ToString(), FaultDirectives.HeaderSeparator, out var fromFault, out error))
        {
            return;
        }

        var scenario = headers[FaultDirectives.ScenarioHeaderName].ToString().Trim();
        var fromScenario = scenario.Length == 0
            ? FaultDirectives.Empty
            : new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["scenario"] = scenario };
        directives = FaultDirectives.Merge(fromScenario, fromFault);
    }

    private static string? ScenarioOf(IReadOnlyDictionary<string, string?>? directives) =>
        directives is not null && directives.TryGetValue("scenario", out var scenario) && !string.IsNullOrEmpty(scenario)
            ? scenario
            : null;

    private static ReadOnlyDictionary<string, string> Headers(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            copy[name] = JoinValues(values);
        }

        return copy.AsReadOnly();
    }

    private static string JoinValues(StringValues values) => values.Count == 1 ? values[0] ?? "" : string.Join(", ", values.ToArray());
}
