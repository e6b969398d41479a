namespace Switchyard.Gateway.Caching;

/// <summary>
/// Turns a request's text into a vector for the semantic cache: the local model shipped with the gateway, or an
/// embeddings target the gateway routes to.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Names the model; part of every semantic partition, so vectors of two models are never compared.</summary>
    string Model { get; }

    /// <summary>The default similarity threshold for this model, chosen from its measured precision and recall.</summary>
    float DefaultThreshold { get; }

    /// <summary>The text's vector, of unit length, so cosine similarity is a dot product.</summary>
    ValueTask<float[]> EmbedAsync(string text, CancellationToken cancellationToken);
}
