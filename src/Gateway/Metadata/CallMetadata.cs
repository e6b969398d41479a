using System.Text.Json;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Metadata;

/// <summary>Reads <c>x-portkey-metadata</c> (a JSON object, or a 400) and applies the workspace's and key's defaults.</summary>
internal static class CallMetadata
{
    public static void Read(GatewayCall call) =>
        call.Metadata = MetadataDefaults.Apply(call, Parse(call.Headers[GatewayHeaders.Metadata]));

    private static JsonElement? Parse(string? header)
    {
        if (header is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new GatewayException(GatewayErrorKind.InvalidRequest, "x-portkey-metadata must be a JSON object, e.g. {\"user\":\"u-1\",\"tier\":\"pro\"}.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, "x-portkey-metadata is not valid JSON; send a JSON object, e.g. {\"user\":\"u-1\"}.");
        }
    }
}
