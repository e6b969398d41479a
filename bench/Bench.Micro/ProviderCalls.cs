using Switchyard.Providers;
using Switchyard.Providers.Catalog;

namespace Switchyard.Bench.Micro;

/// <summary>Adapters and <see cref="ProviderCall"/>s as the target request factory hands them over for an OpenAI client.</summary>
internal static class ProviderCalls
{
    public static IProviderAdapter Adapter(WireFormat format) =>
        ProviderAdapters.Default.TryGet(format, out var adapter) ? adapter : throw new InvalidOperationException($"No adapter for {format}.");

    public static ProviderCall Chat(string slug, byte[] openAiBody, string model, bool stream = false) => new(
        ProviderCatalog.Default.TryGet(slug, out var provider) ? provider : throw new InvalidOperationException($"No provider {slug}."),
        ApiOperation.ChatCompletions,
        provider.BaseUrl,
        Credential: "sk-bench-0000000000000000",
        openAiBody,
        WireFormat.OpenAi,
        BodyFields: [],
        model,
        stream,
        ProviderOptions: new Dictionary<string, string>(),
        ForwardedHeaders: []);
}
