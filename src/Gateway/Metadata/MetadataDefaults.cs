using System.Buffers;
using System.Text.Json;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Metadata;

/// <summary>
/// A call's metadata: the workspace's default metadata, then the API key's, then the request's
/// <c>x-portkey-metadata</c>, a later source winning field by field.
/// </summary>
internal static class MetadataDefaults
{
    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <returns>The merged object; <paramref name="requested"/> itself when there are no defaults; null when there is nothing at all.</returns>
    public static JsonElement? Apply(GatewayCall call, JsonElement? requested)
    {
        var workspace = call.Workspace?.DefaultMetadata;
        var key = call.ApiKey?.DefaultMetadata;
        if (workspace is not { Count: > 0 } && key is not { Count: > 0 })
        {
            return requested;
        }

        var merged = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, JsonElement? value)
        {
            if (!merged.ContainsKey(name))
            {
                order.Add(name);
            }

            merged[name] = value;
        }

        foreach (var (name, _) in workspace ?? Empty)
        {
            Set(name, null);
        }

        foreach (var (name, _) in key ?? Empty)
        {
            Set(name, null);
        }

        if (requested is { ValueKind: JsonValueKind.Object } request)
        {
            foreach (var property in request.EnumerateObject())
            {
                Set(property.Name, property.Value);
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in order)
            {
                if (merged[name] is { } value)
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
                else
                {
                    // Null marks a default: the key's value wins over the workspace's.
                    writer.WriteString(name, key?.GetValueOrDefault(name) ?? workspace![name]);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
