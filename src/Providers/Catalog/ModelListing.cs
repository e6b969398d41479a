using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchyard.Providers.Catalog;

/// <summary>
/// Renders the model catalog as an OpenAI <c>GET /v1/models</c> body:
/// <c>{"object":"list","data":[{"id","object":"model","created":0,"owned_by":&lt;provider&gt;, …}]}</c>.
/// </summary>
/// <remarks>
/// Each entry carries OpenAI's four fields, so OpenAI clients list it as they would OpenAI's own, plus additive
/// fields clients ignore: <c>provider</c>, <c>context_window</c>, <c>max_output_tokens</c> and
/// <c>pricing</c> (<c>input_per_million</c>, <c>output_per_million</c>, <c>cached_input_per_million</c>, USD; null when
/// not known). <c>created</c> is 0 because the catalog does not know release times and OpenAI's field is not optional.
/// </remarks>
public static class ModelListing
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The listing of <see cref="ModelCatalog.Default"/>: every model, or only <paramref name="provider"/>'s.</summary>
    public static byte[] Render(string? provider = null) => Render(ModelCatalog.Default, provider);

    /// <summary>
    /// The listing of <paramref name="catalog"/> as UTF-8 JSON: every model, or only <paramref name="provider"/>'s
    /// (an empty list for a provider the catalog does not know).
    /// </summary>
    public static byte[] Render(ModelCatalog catalog, string? provider = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var models = provider is null ? catalog.All : catalog.ForProvider(provider);
        var buffer = new ArrayBufferWriter<byte>(256 + (models.Count * 256));
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var model in models)
            {
                WriteModel(json, model);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteModel(Utf8JsonWriter json, ModelInfo model)
    {
        json.WriteStartObject();
        json.WriteString("id", model.Id);
        json.WriteString("object", "model");
        json.WriteNumber("created", 0);
        json.WriteString("owned_by", model.Provider);
        json.WriteString("provider", model.Provider);
        WriteNumberOrNull(json, "context_window", model.ContextWindow);
        WriteNumberOrNull(json, "max_output_tokens", model.MaxOutputTokens);
        json.WriteStartObject("pricing");
        WriteNumberOrNull(json, "input_per_million", model.InputPerMillion);
        WriteNumberOrNull(json, "output_per_million", model.OutputPerMillion);
        WriteNumberOrNull(json, "cached_input_per_million", model.CachedInputPerMillion);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is int number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, decimal? value)
    {
        if (value is decimal number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
