using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Cohere;

/// <summary>
/// What every Cohere operation shares: the Bearer key, the JSON body and its <c>model</c>, whose <c>|</c> suffix holds
/// the fault directives as in the OpenAI format.
/// </summary>
internal sealed class CohereRequest : IDisposable
{
    /// <summary>The key the fake always refuses, as Cohere does a wrong one: 401 <c>invalid api token</c>.</summary>
    public const string InvalidApiKey = "sk-fake-invalid";

    private readonly JsonDocument _document;
    private readonly FaultPlan _plannedFaults;

    private CohereRequest(JsonDocument document, string model, FaultPlan plannedFaults)
    {
        _document = document;
        Model = model;
        _plannedFaults = plannedFaults;
    }

    public JsonElement Body => _document.RootElement;

    /// <summary>The requested model without directives.</summary>
    public string Model { get; }

    /// <summary>Returns null when the request was refused; the error response is already written.</summary>
    public static async Task<CohereRequest?> OpenAsync(HttpContext context, FakeExchange exchange)
    {
        const string Scheme = "Bearer ";
        var authorization = context.Request.Headers.Authorization.ToString();
        var key = authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? authorization[Scheme.Length..].Trim() : "";
        if (key.Length == 0)
        {
            await CohereErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "no api key supplied");
            return null;
        }

        if (key == InvalidApiKey)
        {
            await CohereErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid api token");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(exchange.Body);
        }
        catch (JsonException)
        {
            await CohereErrors.WriteInvalidRequestAsync(context, "the request body is not valid JSON.");
            return null;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("model", out var modelElement)
            || modelElement.ValueKind != JsonValueKind.String)
        {
            document.Dispose();
            await CohereErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "a model parameter is required for this endpoint.");
            return null;
        }

        var requested = modelElement.GetString()!;
        var bar = requested.IndexOf(FaultDirectives.ModelSeparator);
        var model = (bar < 0 ? requested : requested[..bar]).Trim();
        if (model.Length == 0)
        {
            document.Dispose();
            await CohereErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "a model parameter is required for this endpoint.");
            return null;
        }

        if (!FaultDirectives.TryParse(bar < 0 ? "" : requested[(bar + 1)..], FaultDirectives.ModelSeparator, out var fromModel, out var error)
            || !exchange.TryPlanFaults(fromModel, out var plan, out error))
        {
            document.Dispose();
            await CohereErrors.WriteInvalidRequestAsync(context, error);
            return null;
        }

        return new CohereRequest(document, model, plan);
    }

    /// <summary>Counts the scenario, waits out latency, answers a status fault; null when the response is already written.</summary>
    public async Task<FaultPlan?> PassFaultsAsync(HttpContext context, FakeExchange exchange)
    {
        var faults = exchange.Admit(_plannedFaults);
        return await ResponseFaults.TryFailAsync(context, exchange, faults, CohereErrors.WriteStatusFaultAsync) ? null : faults;
    }

    public void Dispose() => _document.Dispose();
}
