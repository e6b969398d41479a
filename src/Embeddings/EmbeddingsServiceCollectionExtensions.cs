using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.Gateway.Caching;

namespace Switchyard.Embeddings;

public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the local model (all-MiniLM-L6-v2, in process) as the <see cref="ITextEmbedder"/>, a singleton, unless
    /// an embedder is registered already. The model loads on the first embedding, about 1.5 s, off the caller's thread.
    /// </summary>
    public static IServiceCollection AddLocalTextEmbedder(this IServiceCollection services)
    {
        services.TryAddSingleton<ITextEmbedder, LocalTextEmbedder>();
        return services;
    }
}
