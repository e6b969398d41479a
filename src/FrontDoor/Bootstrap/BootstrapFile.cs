using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.FrontDoor.Admin;
using Switchyard.Gateway.Security;
using Switchyard.Providers.Catalog;
using Switchyard.State;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchyard.FrontDoor.Bootstrap;

/// <summary>A workspace as the bootstrap file declares it, validated with the admin API's own readers.</summary>
internal sealed record DeclaredWorkspace(
    string Path,
    string Slug,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string> DefaultMetadata,
    Limits Limits,
    IReadOnlyDictionary<string, ModelPriceOverride> PriceOverrides,
    IReadOnlyList<DeclaredVirtualKey> VirtualKeys,
    IReadOnlyList<DeclaredConfig> Configs,
    IReadOnlyList<DeclaredApiKey> ApiKeys);

internal sealed record DeclaredVirtualKey(
    string Path, string Slug, string Name, string Provider, string Secret, string? Note, IReadOnlyDictionary<string, string> ProviderOptions, Limits Limits, DateTimeOffset? ExpiresAt);

internal sealed record DeclaredConfig(string Path, string Slug, string Name, string ConfigJson, bool IsDefault);

internal sealed record DeclaredApiKey(
    string Path,
    string Name,
    string? Description,
    ApiKeyType Type,
    string Secret,
    IReadOnlyList<string> Scopes,
    string? DefaultConfigSlug,
    IReadOnlyDictionary<string, string> DefaultMetadata,
    Limits Limits,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// Reads the declarative bootstrap file (docs/bootstrap.md): YAML with the admin API's snake_case field names,
/// <c>${ENV_VAR}</c> references resolved from the host's configuration (environment variables included). Every problem
/// is collected with its path in the file (<c>workspaces[0].virtual_keys[1].key</c>) and reported together.
/// </summary>
internal static partial class BootstrapFile
{
    public static IReadOnlyList<DeclaredWorkspace> Read(
        string text, Func<string, string?> setting, ConfigRules rules, ProviderCatalog catalog, Action<string> warnLiteralSecret)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new BootstrapException($"not valid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        if (yaml.Documents.Count == 0)
        {
            return [];
        }

        var errors = new List<string>();
        var root = YamlJson.ToJson(yaml.Documents[0].RootNode, string.Empty, (value, path) => Resolve(value, path, setting, errors, warnLiteralSecret));
        if (root is not JsonObject top)
        {
            throw new BootstrapException("the file must be a mapping with a 'workspaces' list");
        }

        foreach (var (name, _) in top)
        {
            if (name != "workspaces")
            {
                errors.Add($"{name}: unknown top-level key (expected 'workspaces')");
            }
        }

        var workspaces = new List<DeclaredWorkspace>();
        var items = top["workspaces"] switch
        {
            null => [],
            JsonArray array => array.ToArray(),
            _ => Fail<JsonNode?[]>(errors, "workspaces: must be a list", []),
        };
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Length; i++)
        {
            if (ReadWorkspace(items[i], $"workspaces[{i}]", rules, catalog, errors) is { } workspace)
            {
                if (!slugs.Add(workspace.Slug))
                {
                    errors.Add($"workspaces[{i}].slug: '{workspace.Slug}' is declared twice");
                }

                workspaces.Add(workspace);
            }
        }

        if (errors.Count > 0)
        {
            throw new BootstrapException(string.Join("; ", errors));
        }

        return workspaces;
    }

    private static DeclaredWorkspace? ReadWorkspace(JsonNode? node, string path, ConfigRules rules, ProviderCatalog catalog, List<string> errors)
    {
        if (Body(node, path, errors) is not { } body)
        {
            return null;
        }

        var slug = Slug(body);
        var name = body.String("name", required: true);
        var description = body.String("description");
        var metadata = body.Field("defaults") is { ValueKind: JsonValueKind.Object } defaults && defaults.TryGetProperty("metadata", out var map)
            ? body.StringMap(map, "defaults.metadata")
            : null;
        var limits = LimitsJson.Read(body, Limits.None);
        var prices = LimitsJson.ReadPriceOverrides(body, Workspace.NoPriceOverrides);
        var virtualKeys = List(node!, "virtual_keys", path, errors, (item, itemPath) => ReadVirtualKey(item, itemPath, catalog, errors));
        var configs = List(node!, "configs", path, errors, (item, itemPath) => ReadConfig(item, itemPath, rules, errors));
        var apiKeys = List(node!, "api_keys", path, errors, (item, itemPath) => ReadApiKey(item, itemPath, errors));
        Duplicates(virtualKeys.Select(k => (k.Path, k.Slug)), "slug", errors);
        Duplicates(configs.Select(c => (c.Path, c.Slug)), "slug", errors);
        Duplicates(apiKeys.Select(k => (k.Path, k.Name)), "name", errors);
        return Collect(body, path, errors)
            ? new DeclaredWorkspace(path, slug!, name!, description, metadata ?? new Dictionary<string, string>(), limits, prices, virtualKeys, configs, apiKeys)
            : null;
    }

    private static DeclaredVirtualKey? ReadVirtualKey(JsonNode? node, string path, ProviderCatalog catalog, List<string> errors)
    {
        if (Body(node, path, errors) is not { } body)
        {
            return null;
        }

        var slug = Slug(body);
        var name = body.String("name") ?? slug;
        var provider = body.String("provider", required: true);
        if (provider is { Length: > 0 } && !catalog.TryGet(provider, out _))
        {
            body.Errors.Add($"provider: '{provider}' is not a provider this gateway serves");
        }

        var secret = body.String("key", required: true);
        var note = body.String("note");
        var options = VirtualKeyEndpoints.ReadProviderOptions(body, new Dictionary<string, string>());
        var expiresAt = body.Instant("expires_at", out _);
        var limits = LimitsJson.Read(body, Limits.None);
        return Collect(body, path, errors) ? new DeclaredVirtualKey(path, slug!, name!, provider!, secret!, note, options, limits, expiresAt) : null;
    }

    private static DeclaredConfig? ReadConfig(JsonNode? node, string path, ConfigRules rules, List<string> errors)
    {
        if (Body(node, path, errors) is not { } body)
        {
            return null;
        }

        var slug = Slug(body);
        var name = body.String("name") ?? slug;
        var isDefault = body.Flag("is_default") ?? false;
        var json = ConfigEndpoints.ReadConfig(body, rules, required: true);
        return Collect(body, path, errors) ? new DeclaredConfig(path, slug!, name!, json!, isDefault) : null;
    }

    private static DeclaredApiKey? ReadApiKey(JsonNode? node, string path, List<string> errors)
    {
        if (Body(node, path, errors) is not { } body)
        {
            return null;
        }

        var name = body.String("name", required: true);
        var description = body.String("description");
        var type = body.String("type") switch
        {
            null or "workspace" => ApiKeyType.Workspace,
            "organisation" => ApiKeyType.Organisation,
            _ => Fail(body.Errors, "type: must be workspace or organisation", ApiKeyType.Workspace),
        };
        var secret = body.String("key", required: true);
        if (secret is { Length: > 0 } && !ApiKeySecrets.LooksLikeKey(secret))
        {
            body.Errors.Add("key: must be a Switchyard key: sk-sy- and 43 base64url characters (`echo sk-sy-$(openssl rand 32 | basenc --base64url | tr -d =)`)");
        }

        var scopes = body.StringList("scopes", required: true);
        var (configId, metadata) = ApiKeyEndpoints.ReadDefaults(body, null, new Dictionary<string, string>());
        var expiresAt = body.Instant("expires_at", out _);
        var limits = LimitsJson.Read(body, Limits.None);
        return Collect(body, path, errors)
            ? new DeclaredApiKey(path, name!, description, type, secret!, scopes!, configId, metadata, limits, expiresAt)
            : null;
    }

    private static AdminBody? Body(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject)
        {
            errors.Add($"{path}: must be a mapping");
            return null;
        }

        return AdminBody.FromElement(JsonSerializer.SerializeToElement(node, BootstrapJsonContext.Default.JsonNode));
    }

    private static string? Slug(AdminBody body)
    {
        var slug = body.String("slug", required: true);
        if (slug is { Length: > 0 } && !AdminSlugs.IsValid(slug))
        {
            body.Errors.Add("slug: must be 1-64 of a-z, 0-9, '-' and '_'");
        }

        return slug;
    }

    private static List<T> List<T>(JsonNode node, string field, string path, List<string> errors, Func<JsonNode?, string, T?> read)
        where T : class
    {
        switch (node[field])
        {
            case null:
                return [];
            case JsonArray array:
                var result = new List<T>();
                for (var i = 0; i < array.Count; i++)
                {
                    if (read(array[i], $"{path}.{field}[{i}]") is { } item)
                    {
                        result.Add(item);
                    }
                }

                return result;
            default:
                errors.Add($"{path}.{field}: must be a list");
                return [];
        }
    }

    /// <summary>Moves a record's problems into the file's list with the record's path in front; true when it had none.</summary>
    private static bool Collect(AdminBody body, string path, List<string> errors)
    {
        errors.AddRange(body.Errors.Select(error => $"{path}.{error}"));
        return body.Errors.Count == 0;
    }

    private static void Duplicates(IEnumerable<(string Path, string Key)> items, string field, List<string> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, key) in items)
        {
            if (!seen.Add(key))
            {
                errors.Add($"{path}.{field}: '{key}' is declared twice");
            }
        }
    }

    private static T Fail<T>(List<string> errors, string error, T fallback)
    {
        errors.Add(error);
        return fallback;
    }

    /// <summary>Replaces each <c>${NAME}</c> with the setting of that name; a secret written literally is allowed but warned about.</summary>
    private static string Resolve(string value, string path, Func<string, string?> setting, List<string> errors, Action<string> warnLiteralSecret)
    {
        if (path.EndsWith(".key", StringComparison.Ordinal) && !EnvReference().IsMatch(value) && value.Length > 0)
        {
            warnLiteralSecret(path);
        }

        return EnvPlaceholder().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            if (setting(name) is { } resolved)
            {
                return resolved;
            }

            errors.Add($"{path}: environment variable {name} is not set");
            return string.Empty;
        });
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_:.\-]*)\}")]
    private static partial Regex EnvPlaceholder();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_:.\-]*\}$")]
    private static partial Regex EnvReference();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class BootstrapJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
