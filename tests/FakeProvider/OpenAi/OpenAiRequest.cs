using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>
/// The parts every OpenAI operation shares: the API key check, the JSON body, the model name
/// with its directive suffix, and the faults. Validation problems are collected as OpenAI
/// would word them and written by <see cref="RejectAsync"/>.
/// </summary>
internal sealed class OpenAiRequest : IDisposable
{
    /// <summary>A bearer token that the fake always refuses, to test how clients treat a bad key.</summary>
    public const string InvalidApiKey = "sk-fake-invalid";

    private readonly JsonDocument? _document;
    private readonly FaultPlan _plannedFaults;
    private Problem? _problem;

    private OpenAiRequest(JsonDocument? document, string model, FaultPlan plannedFaults)
    {
        _document = document;
        Model = model;
        _plannedFaults = plannedFaults;
    }

    /// <summary>The JSON body's root object; an empty object for requests without a body.</summary>
    public JsonElement Body => _document?.RootElement ?? EmptyObject.RootElement;

    /// <summary>The requested model with the directive suffix removed, as responses report it.</summary>
    public string Model { get; }

    private static JsonDocument EmptyObject { get; } = JsonDocument.Parse("{}");

    /// <summary>Returns null when the request was refused; the error response is already written.</summary>
    public static async Task<OpenAiRequest?> OpenAsync(HttpContext context, FakeExchange exchange, bool hasBody)
    {
        if (HasInvalidKey(context.Request.Headers.Authorization.ToString()))
        {
            await OpenAiErrors.WriteAsync(
                context, StatusCodes.Status401Unauthorized, "Incorrect API key provided", OpenAiErrors.InvalidRequest, code: "invalid_api_key");
            return null;
        }

        JsonDocument? document = null;
        var model = "";
        var modelDirectives = "";
        if (hasBody)
        {
            try
            {
                document = JsonDocument.Parse(exchange.Body);
            }
            catch (JsonException)
            {
                await OpenAiErrors.WriteInvalidRequestAsync(
                    context,
                    "We could not parse the JSON body of your request. (The fake provider expects a JSON object.)");
                return null;
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                await OpenAiErrors.WriteInvalidRequestAsync(context, "The request body must be a JSON object.");
                return null;
            }

            if (!document.RootElement.TryGetProperty("model", out var modelElement)
                || modelElement.ValueKind != JsonValueKind.String
                || SplitModel(modelElement.GetString()!, out modelDirectives) is not { Length: > 0 } bareModel)
            {
                document.Dispose();
                await OpenAiErrors.WriteInvalidRequestAsync(context, "you must provide a model parameter", "model");
                return null;
            }

            model = bareModel;
        }

        if (!FaultDirectives.TryParse(modelDirectives, FaultDirectives.ModelSeparator, out var fromModel, out var error)
            || !exchange.TryPlanFaults(fromModel, out var plan, out error))
        {
            document?.Dispose();
            await OpenAiErrors.WriteInvalidRequestAsync(context, error, "model", "invalid_fault_directive");
            return null;
        }

        return new OpenAiRequest(document, model, plan);
    }

    /// <summary>
    /// Counts the request against its scenario, then waits out latency and answers a status
    /// fault. Returns the faults still to apply, or null when the response is already written.
    /// </summary>
    public async Task<FaultPlan?> PassFaultsAsync(HttpContext context, FakeExchange exchange)
    {
        var faults = exchange.Admit(_plannedFaults);
        return await ResponseFaults.TryFailAsync(context, exchange, faults, OpenAiErrors.WriteStatusFaultAsync) ? null : faults;
    }

    public bool TryReadInt(string name, int min, int max, out int? value)
    {
        value = null;
        if (!Body.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var number) && number >= min && number <= max)
        {
            value = number;
            return true;
        }

        return Refuse($"Invalid '{name}': expected an integer from {min} to {max}.", name, "invalid_value");
    }

    public bool TryReadBool(JsonElement parent, string name, out bool value)
    {
        value = false;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = element.GetBoolean();
            return true;
        }

        return Refuse($"Invalid '{name}': expected a boolean.", name, "invalid_type");
    }

    public bool TryReadBool(string name, out bool value) => TryReadBool(Body, name, out value);

    /// <summary><c>stream_options.include_usage</c>, which asks for a final usage chunk.</summary>
    public bool TryReadIncludeUsage(out bool includeUsage)
    {
        includeUsage = false;
        return !Body.TryGetProperty("stream_options", out var options)
            || options.ValueKind != JsonValueKind.Object
            || TryReadBool(options, "include_usage", out includeUsage);
    }

    /// <summary>Records why the request is invalid; always returns false so a reader can end with it.</summary>
    public bool Refuse(string message, string? param, string? code = null)
    {
        _problem = new Problem(message, param, code);
        return false;
    }

    public Task RejectAsync(HttpContext context) =>
        _problem is { } found
            ? OpenAiErrors.WriteInvalidRequestAsync(context, found.Message, found.Param, found.Code)
            : OpenAiErrors.WriteInvalidRequestAsync(context, "Invalid request.");

    public void Dispose() => _document?.Dispose();

    private static string SplitModel(string requested, out string directives)
    {
        var bar = requested.IndexOf(FaultDirectives.ModelSeparator);
        directives = bar < 0 ? "" : requested[(bar + 1)..];
        return (bar < 0 ? requested : requested[..bar]).Trim();
    }

    private static bool HasInvalidKey(string authorization)
    {
        const string Scheme = "Bearer ";
        return authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && authorization[Scheme.Length..].Trim() == InvalidApiKey;
    }

    private sealed record Problem(string Message, string? Param, string? Code);
}
