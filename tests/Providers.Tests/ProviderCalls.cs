using System.Text;
using Switchyard.Providers.Catalog;

namespace Switchyard.Providers.Tests;

/// <summary>Builds <see cref="ProviderCall"/>s for adapter tests, as the gateway would for an OpenAI client.</summary>
internal static class ProviderCalls
{
    public static ProviderCall Create(
        string slug,
        string body,
        ApiOperation operation = ApiOperation.ChatCompletions,
        string? model = "fake-model",
        bool stream = false,
        string? credential = null,
        Uri? baseUrl = null,
        Dictionary<string, string>? options = null)
    {
        Assert.True(ProviderCatalog.Default.TryGet(slug, out var provider));
        return new ProviderCall(
            provider,
            operation,
            baseUrl,
            credential,
            Encoding.UTF8.GetBytes(body),
            WireFormat.OpenAi,
            [],
            model,
            stream,
            options ?? [],
            []);
    }

    public static string Header(this ProviderHttpRequest request, string name) =>
        request.Headers.Single(header => header.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static string Text(this ProviderHttpRequest request) => Encoding.UTF8.GetString(request.Body.Span);
}
