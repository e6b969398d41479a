using System.Text.Json.Nodes;
using Switchyard.Gateway.Security;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// A routing config may carry provider credentials inline (Portkey's <c>api_key</c> on a target, AWS keys for Bedrock).
/// Admin reads and audit records show them masked like a virtual key's <c>masked_api_key</c>; the data path reads the
/// stored config, not these views.
/// </summary>
internal static class ConfigSecrets
{
    private static readonly HashSet<string> SecretFields = new(StringComparer.Ordinal)
    {
        "api_key", "aws_secret_access_key", "aws_session_token", "vertex_service_account_json", "azure_entra_client_secret",
    };

    public static JsonNode? Redact(string configJson)
    {
        var root = JsonNode.Parse(configJson);
        Walk(root);
        return root;
    }

    private static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToArray())
                {
                    if (SecretFields.Contains(name) && value is JsonValue secret && secret.TryGetValue<string>(out var text))
                    {
                        obj[name] = ApiKeySecrets.MaskSecret(text);
                    }
                    else
                    {
                        Walk(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item);
                }

                break;
        }
    }
}
