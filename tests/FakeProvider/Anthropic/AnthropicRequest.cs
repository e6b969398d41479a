using System.Text.Json;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>
/// What every Anthropic operation checks first, in Anthropic's order and words: the key (<c>x-api-key</c> or a bearer
/// token) and the <c>anthropic-version</c> header, the JSON body, the model with its directive suffix, then the faults.
/// </summary>
internal sealed class AnthropicRequest : IDisposable
{
    /// <summary>A key the fake always refuses, to test how clients treat a bad key.</summary>
    public const string InvalidApiKey = "sk-fake-invalid";

    public const string ApiKeyHeader = "x-api-key";
    public const string VersionHeader = "anthropic-version";

    private readonly JsonDocument _document;
    private readonly FaultPlan _plannedFaults;

    private AnthropicRequest(JsonDocument document, string model, FaultPlan plannedFaults)
    {
        _document = document;
        Model = model;
        _plannedFaults = plannedFaults;
    }

    public JsonElement Body => _document.RootElement;

    /// <summary>The requested model with the directive suffix removed, as responses report it.</summary>
    public string Model { get; }

    /// <summary>Returns null when the request was refused; the error response is already written.</summary>
    public static async Task<AnthropicRequest?> OpenAsync(HttpContext context, FakeExchange exchange)
    {
        var key = ApiKey(context.Request.Headers);
        if (key.Length == 0)
        {
            await AnthropicErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, AnthropicErrors.Authentication, "x-api-key header is required");
            return null;
        }

        if (key == InvalidApiKey)
        {
            await AnthropicErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, AnthropicErrors.Authentication, "invalid x-api-key");
            return null;
        }

        if (context.Request.Headers[VersionHeader].ToString().Trim().Length == 0)
        {
            await AnthropicErrors.WriteInvalidRequestAsync(context, "anthropic-version: header is required");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(exchange.Body);
        }
        catch (JsonException)
        {
            await AnthropicErrors.WriteInvalidRequestAsync(context, "There was an issue with your request body: it is not valid JSON.");
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await AnthropicErrors.WriteInvalidRequestAsync(context, "The request body must be a JSON object.");
            return null;
        }

        if (!document.RootElement.TryGetProperty("model", out var modelElement)
            || modelElement.ValueKind != JsonValueKind.String
            || SplitModel(modelElement.GetString()!, out var modelDirectives) is not { Length: > 0 } model)
        {
            document.Dispose();
            await AnthropicErrors.WriteInvalidRequestAsync(context, "model: Field required");
            return null;
        }

        if (!FaultDirectives.TryParse(modelDirectives, FaultDirectives.ModelSeparator, out var fromModel, out var error)
            || !exchange.TryPlanFaults(fromModel, out var plan, out error))
        {
            document.Dispose();
            await AnthropicErrors.WriteInvalidRequestAsync(context, $"model: {error}");
            return null;
        }

        return new AnthropicRequest(document, model, plan);
    }

    /// <summary>
    /// Counts the request against its scenario, then waits out latency and answers a status
    /// fault. Returns the faults still to apply, or null when the response is already written.
    /// </summary>
    public async Task<FaultPlan?> PassFaultsAsync(HttpContext context, FakeExchange exchange)
    {
        var faults = exchange.Admit(_plannedFaults);
        return await ResponseFaults.TryFailAsync(context, exchange, faults, AnthropicErrors.WriteStatusFaultAsync) ? null : faults;
    }

    public void Dispose() => _document.Dispose();

    /// <summary>
    /// The key from <c>x-api-key</c>, or from <c>Authorization: Bearer</c>, which is how the official SDK (1.x) sends
    /// it and which Anthropic's API therefore accepts as well.
    /// </summary>
    private static string ApiKey(IHeaderDictionary headers)
    {
        var key = headers[ApiKeyHeader].ToString().Trim();
        if (key.Length > 0)
        {
            return key;
        }

        const string Scheme = "Bearer ";
        var authorization = headers.Authorization.ToString();
        return authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? authorization[Scheme.Length..].Trim() : "";
    }

    private static string SplitModel(string requested, out string directives)
    {
        var bar = requested.IndexOf(FaultDirectives.ModelSeparator);
        directives = bar < 0 ? "" : requested[(bar + 1)..];
        return (bar < 0 ? requested : requested[..bar]).Trim();
    }
}
