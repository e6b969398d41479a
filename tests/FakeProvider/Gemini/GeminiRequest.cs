using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Gemini;

/// <summary>
/// What every Gemini operation shares: the API key (<c>x-goog-api-key</c> or <c>?key=</c>), the JSON body, and the
/// model, which Gemini puts in the path (<c>models/{model}:generateContent</c>). The model segment arrives URL-decoded,
/// so directives written after a <c>|</c> in the model name work as they do in OpenAI's body.
/// </summary>
internal sealed class GeminiRequest : IDisposable
{
    /// <summary>The key the fake always refuses, as Google does a wrong one: 400 INVALID_ARGUMENT.</summary>
    public const string InvalidApiKey = "sk-fake-invalid";

    private readonly JsonDocument _document;
    private readonly FaultPlan _plannedFaults;

    private GeminiRequest(JsonDocument document, string model, FaultPlan plannedFaults)
    {
        _document = document;
        Model = model;
        _plannedFaults = plannedFaults;
    }

    public JsonElement Body => _document.RootElement;

    /// <summary>The model from the path, without directives.</summary>
    public string Model { get; }

    /// <summary>Returns null when the request was refused; the error response is already written.</summary>
    /// <param name="method">The custom method the route matched, e.g. <c>:generateContent</c>.</param>
    public static async Task<GeminiRequest?> OpenAsync(HttpContext context, FakeExchange exchange, string method)
    {
        var request = context.Request;
        var key = request.Headers["x-goog-api-key"].ToString();
        if (key.Length == 0)
        {
            key = request.Query["key"].ToString();
        }

        if (key.Length == 0)
        {
            await GeminiErrors.WriteAsync(
                context,
                StatusCodes.Status403Forbidden,
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
            return null;
        }

        if (key == InvalidApiKey)
        {
            await GeminiErrors.WriteInvalidArgumentAsync(context, "API key not valid. Please pass a valid API key.");
            return null;
        }

        var path = (request.Path.Value ?? "").TrimEnd('/');
        var segment = path[(path.LastIndexOf('/') + 1)..^method.Length];
        var bar = segment.IndexOf(FaultDirectives.ModelSeparator);
        var model = (bar < 0 ? segment : segment[..bar]).Trim();
        var directives = bar < 0 ? "" : segment[(bar + 1)..];
        if (model.Length == 0)
        {
            await GeminiErrors.WriteAsync(context, StatusCodes.Status404NotFound, "models/ is not found for API version v1beta.");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(exchange.Body);
        }
        catch (JsonException)
        {
            await GeminiErrors.WriteInvalidArgumentAsync(context, "Invalid JSON payload received. The fake provider expects a JSON object.");
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await GeminiErrors.WriteInvalidArgumentAsync(context, "Invalid JSON payload received. Expected an object.");
            return null;
        }

        if (!FaultDirectives.TryParse(directives, FaultDirectives.ModelSeparator, out var fromModel, out var error)
            || !exchange.TryPlanFaults(fromModel, out var plan, out error))
        {
            document.Dispose();
            await GeminiErrors.WriteInvalidArgumentAsync(context, error);
            return null;
        }

        return new GeminiRequest(document, model, plan);
    }

    /// <summary>Counts the scenario, waits out latency, answers a status fault; null when the response is already written.</summary>
    public async Task<FaultPlan?> PassFaultsAsync(HttpContext context, FakeExchange exchange)
    {
        var faults = exchange.Admit(_plannedFaults);
        return await ResponseFaults.TryFailAsync(context, exchange, faults, GeminiErrors.WriteStatusFaultAsync) ? null : faults;
    }

    public void Dispose() => _document.Dispose();
}
