using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Cohere;
using Switchyard.Providers.Gemini;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers;

/// <summary>The adapter for each wire format that this build can speak.</summary>
public sealed class ProviderAdapters
{
    private readonly Dictionary<WireFormat, IProviderAdapter> _adapters;

    public ProviderAdapters(IEnumerable<IProviderAdapter> adapters) => _adapters = adapters.ToDictionary(a => a.Format);

    public static ProviderAdapters Default { get; } = new(
    [
        new OpenAiAdapter(),
        new AnthropicAdapter(),
        new GeminiAdapter(),
        new CohereAdapter(),
        new Bedrock.BedrockAdapter(),
        new Azure.AzureAdapter(),
    ]);

    public bool TryGet(WireFormat format, out IProviderAdapter adapter) => _adapters.TryGetValue(format, out adapter!);
}
