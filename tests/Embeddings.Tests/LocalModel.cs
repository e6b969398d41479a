namespace Switchyard.Embeddings.Tests;

/// <summary>One <see cref="LocalTextEmbedder"/> for every test of the collection: the model loads once (about 1.5 s).</summary>
public sealed class LocalModel : IDisposable
{
    internal LocalTextEmbedder Embedder { get; } = new();

    public async Task<float[]> EmbedAsync(string text) => await Embedder.EmbedAsync(text, CancellationToken.None);

    public void Dispose() => Embedder.Dispose();
}

[CollectionDefinition(Name)]
public sealed class LocalModelCollection : ICollectionFixture<LocalModel>
{
    public const string Name = "local model";
}
