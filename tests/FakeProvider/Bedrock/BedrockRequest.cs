using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// What every Bedrock route does first: check the signature (or API key), parse the JSON body,
/// and take the model id, with its fault directives, from the path (<c>/model/{model}/…</c>).
/// </summary>
internal sealed class BedrockRequest : IDisposable
{
    private readonly JsonDocument _document;
    private readonly FaultPlan _plannedFaults;

    private BedrockRequest(JsonDocument document, string model, FaultPlan plannedFaults)
    {
        _document = document;
        Model = model;
        _plannedFaults = plannedFaults;
    }

    public JsonElement Body => _document.RootElement;

    /// <summary>The model id without its directives.</summary>
    public string Model { get; }

    /// <summary>Returns null when the request was refused; the error response is already written.</summary>
    public static async Task<BedrockRequest?> OpenAsync(HttpContext context, FakeExchange exchange)
    {
        if (BedrockSignature.Check(context, exchange.Body) is { } rejection)
        {
            await BedrockErrors.WriteAsync(context, rejection.Status, rejection.Exception, rejection.Message);
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(exchange.Body);
        }
        catch (JsonException)
        {
            await BedrockErrors.WriteValidationAsync(context, "Malformed input request, please reformat your input and try again.");
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await BedrockErrors.WriteValidationAsync(context, "Malformed input request, please reformat your input and try again.");
            return null;
        }

        var requested = context.Request.RouteValues["model"] as string ?? "";
        var bar = requested.IndexOf(FaultDirectives.ModelSeparator);
        var model = (bar < 0 ? requested : requested[..bar]).Trim();
        if (!FaultDirectives.TryParse(bar < 0 ? "" : requested[(bar + 1)..], FaultDirectives.ModelSeparator, out var fromModel, out var error)
            || !exchange.TryPlanFaults(fromModel, out var plan, out error))
        {
            document.Dispose();
            await BedrockErrors.WriteValidationAsync(context, error);
            return null;
        }

        return new BedrockRequest(document, model, plan);
    }

    /// <summary>Counts the scenario, waits out latency and answers a status fault; null when the response is written.</summary>
    public async Task<FaultPlan?> PassFaultsAsync(HttpContext context, FakeExchange exchange)
    {
        var faults = exchange.Admit(_plannedFaults);
        return await ResponseFaults.TryFailAsync(context, exchange, faults, BedrockErrors.WriteStatusFaultAsync) ? null : faults;
    }

    public void Dispose() => _document.Dispose();
}
