using System.Text.Json;
using Switchyard.Providers.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>
/// Reading the parts of an OpenAI request that translating adapters read alike: embedding inputs and encoding, image
/// URLs and stop sequences. What each provider does with them stays in its adapter.
/// </summary>
internal static class OpenAiRequestReader
{
    /// <summary>An embeddings request's <c>input</c>: a string or an array of strings. Token-id arrays are refused: the providers that translate take text.</summary>
    /// <param name="provider">The provider's name, for the error.</param>
    /// <exception cref="ProviderRequestException">the input is missing, empty or not text.</exception>
    public static List<string> EmbeddingInputs(JsonElement root, string provider)
    {
        if (!root.TryGetProperty("input", out var input))
        {
            throw new ProviderRequestException("'input' is required.");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return [input.GetString()!];
        }

        var inputs = new List<string>();
        if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new ProviderRequestException($"'input' must be a string or an array of strings for {provider}; token ids are not accepted.");
                }

                inputs.Add(item.GetString()!);
            }
        }

        return inputs.Count > 0 ? inputs : throw new ProviderRequestException("'input' must be a non-empty string or array of strings.");
    }

    /// <summary>What translating an embeddings answer needs from the request: the inputs (for providers whose usage is estimated from them) and the encoding asked for.</summary>
    public static (List<string> Inputs, bool Base64) EmbeddingsAsked(ReadOnlyMemory<byte> openAiBody, string provider)
    {
        using var document = ProviderJson.ParseRequest(openAiBody, quoteReason: false);
        return (EmbeddingInputs(document.RootElement, provider), WantsBase64(document.RootElement));
    }

    /// <summary>Whether an embeddings request asked for <c>encoding_format: "base64"</c> rather than arrays of floats.</summary>
    public static bool WantsBase64(JsonElement root) => root.String("encoding_format") == "base64";

    /// <summary>The URL of an <c>image_url</c> part: <c>image_url.url</c>, or <c>image_url</c> itself when a client sends it as a bare string.</summary>
    public static string? ImageUrl(JsonElement part)
    {
        var image = part.TryGetProperty("image_url", out var value) ? value : default;
        return image.ValueKind == JsonValueKind.String ? image.GetString() : image.String("url");
    }

    /// <summary>The request's <c>stop</c> as a list (one string or several), or null when it has none.</summary>
    /// <exception cref="ProviderRequestException">an array holds something other than strings.</exception>
    public static List<string>? StopSequences(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop) || stop.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            return null;
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()!];
        }

        return [.. stop.EnumerateArray().Select(sequence => sequence.ValueKind == JsonValueKind.String
            ? sequence.GetString()!
            : throw new ProviderRequestException("'stop' must be a string or an array of strings."))];
    }
}
