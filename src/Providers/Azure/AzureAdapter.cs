using System.Text.RegularExpressions;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Azure;

/// <summary>
/// Azure OpenAI: OpenAI's bodies, answers and streams, at a per-resource, per-deployment URL
/// (<c>https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…</c>) with the
/// key in <c>api-key</c>, or an Entra ID token as a bearer. Errors are OpenAI-shaped but may lack a <c>type</c>; they get one.
/// </summary>
internal sealed partial class AzureAdapter : IProviderAdapter
{
    /// <summary>The latest GA data-plane version when this was written.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    private static readonly ProviderAuth ApiKey = ProviderAuth.Header("api-key");

    public WireFormat Format => WireFormat.AzureOpenAi;

    public ProviderHttpRequest CreateRequest(ProviderCall call)
    {
        if (call.Operation is not (ApiOperation.ChatCompletions or ApiOperation.Completions or ApiOperation.Embeddings))
        {
            throw new ProviderRequestException($"Azure OpenAI does not serve {call.Operation.Describe()} through this gateway.");
        }

        // A deployment is usually named after its model; an explicit deployment id wins.
        var deployment = Option(call, "azure_deployment_id") ?? call.Model
            ?? throw new ProviderRequestException("Azure OpenAI needs a deployment: set x-portkey-azure-deployment-id (config azure_deployment_id), or a model named like the deployment.");
        var apiVersion = Option(call, "azure_api_version") ?? DefaultApiVersion;
        var uri = new Uri(
            $"{Base(call)}/openai/deployments/{Uri.EscapeDataString(deployment)}{call.Operation.OpenAiPath()}?api-version={Uri.EscapeDataString(apiVersion)}",
            UriKind.Absolute);
        var headers = OpenAiAdapter.OpenAiHeaders(call, UsesBearer(call) ? ProviderAuth.Bearer : ApiKey);
        return new ProviderHttpRequest(HttpMethod.Post, uri, headers, call.OpenAiBody());
    }

    public byte[] TranslateResponse(ProviderCall call, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => body.ToArray();

    public byte[] TranslateError(ProviderCall call, int status, ReadOnlySpan<byte> body, ProviderResponseHeaders headers = default) => AzureErrors.ToOpenAi(status, body);

    public IEventStreamReader OpenStream(Stream body) => new SseEventReader(body);

    public IStreamTranslator CreateStreamTranslator(ProviderCall call) => new AzureStreamTranslator();

    /// <summary>The custom host (without a trailing <c>/openai</c>, which the path adds), or the resource's own host.</summary>
    private static string Base(ProviderCall call)
    {
        if (call.BaseUrl is { } customHost)
        {
            var text = customHost.OriginalString.TrimEnd('/');
            return text.EndsWith("/openai", StringComparison.OrdinalIgnoreCase) ? text[..^"/openai".Length] : text;
        }

        var resource = Option(call, "azure_resource_name")
            ?? throw new ProviderRequestException("Azure OpenAI needs a resource name: set x-portkey-azure-resource-name (config azure_resource_name), or a custom host.");
        if (!ResourcePattern().IsMatch(resource))
        {
            throw new ProviderRequestException($"'{resource}' is not an Azure OpenAI resource name (x-portkey-azure-resource-name): letters, digits and hyphens only.");
        }

        return $"https://{resource}.openai.azure.com";
    }

    /// <summary>Entra ID (Azure AD) tokens go as a bearer: when asked for, or when the credential is a JWT.</summary>
    private static bool UsesBearer(ProviderCall call) =>
        Option(call, "azure_auth_mode") is { } mode && (mode.Equals("entra", StringComparison.OrdinalIgnoreCase) || mode.Equals("bearer", StringComparison.OrdinalIgnoreCase))
        || call.Credential?.StartsWith("eyJ", StringComparison.Ordinal) == true;

    private static string? Option(ProviderCall call, string name) =>
        call.ProviderOptions.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")]
    private static partial Regex ResourcePattern();
}
