using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Unicode;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// Reads a Portkey-style routing config (snake_case JSON) into a validated <see cref="RoutingConfig"/>.
/// Every problem is collected with its JSON path, so one 400 can list them all; bad input never throws.
/// </summary>
/// <remarks>
/// Differences from Portkey that are deliberate: <c>api_key</c> is optional (the gateway falls back to the
/// request's own credential), <c>params.*</c> conditions read any depth, sibling keys next to
/// <c>$and</c>/<c>$or</c>/<c>$regex</c> are not ignored, and a wrong operator, target name or field is caught
/// at load instead of on the request that reaches it.
/// </remarks>
internal sealed partial class RoutingConfigParser
{
    /// <summary>Deepest JSON nesting accepted; a real config needs far fewer levels.</summary>
    public const int MaxDepth = 32;

    private const string RootPath = "config";
    private const string ModeList = "single, fallback, loadbalance, conditional";

    private static readonly FrozenDictionary<string, StrategyMode> Modes = new Dictionary<string, StrategyMode>
    {
        ["single"] = StrategyMode.Single,
        ["fallback"] = StrategyMode.Fallback,
        ["loadbalance"] = StrategyMode.LoadBalance,
        ["conditional"] = StrategyMode.Conditional,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly ConfigValidationContext _context;
    private readonly List<string> _errors = [];

    private RoutingConfigParser(ConfigValidationContext context) => _context = context;

    /// <summary>Parses and validates <paramref name="utf8Json"/>; never throws on bad input.</summary>
    public static ConfigParseResult Parse(ReadOnlySpan<byte> utf8Json, ConfigValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TryReadRoot(utf8Json, out var root, out var readError))
        {
            return new ConfigParseResult(null, [readError]);
        }

        var parser = new RoutingConfigParser(context);
        var node = parser.ReadNode(root, RootPath, isRoot: true, modelAddressed: false);
        return parser._errors.Count == 0
            ? new ConfigParseResult(new RoutingConfig(node), [])
            : new ConfigParseResult(null, parser._errors.ToArray());
    }

    private static bool TryReadRoot(ReadOnlySpan<byte> utf8Json, out JsonElement root, out string error)
    {
        root = default;

        // Checked up front so that no GetString() later can throw on a bad byte inside a string.
        if (!Utf8.IsValid(utf8Json))
        {
            error = $"{RootPath}: must be a JSON object (the text is not valid UTF-8)";
            return false;
        }

        if (!TryCheckText(utf8Json, out error))
        {
            return false;
        }

        // ParseValue copies the value into its own buffer, so every element taken from it stays valid for the
        // life of the config (override_params and condition operands keep elements). The text was checked above.
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        root = JsonElement.ParseValue(ref reader);
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"{RootPath}: must be a JSON object (found {Describe(root.ValueKind)})";
            return false;
        }

        return true;
    }

    /// <summary>
    /// One pass over the tokens for what JsonElement would otherwise throw on later: syntax errors, nesting
    /// deeper than <see cref="MaxDepth"/> (told apart from other errors), and \u escapes that are not valid
    /// UTF-16 (a lone surrogate makes every later GetString or TryGetProperty throw).
    /// </summary>
    private static bool TryCheckText(ReadOnlySpan<byte> utf8Json, out string error)
    {
        error = "";
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= MaxDepth:
                        error = $"{RootPath}: nested deeper than {MaxDepth} levels";
                        return false;
                    case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                        _ = reader.GetString();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = $"{RootPath}: must be a JSON object ({ex.Message})";
            return false;
        }

        return true;
    }

    private ConfigNode ReadNode(JsonElement node, string path, bool isRoot, bool modelAddressed)
    {
        if (isRoot && node.TryGetProperty("options", out _))
        {
            Error($"{path}.options", "this version of config is not supported; use 'targets' (see Portkey config v2)");
        }

        var name = ReadString(node, "name", path);
        var weight = ReadWeight(node, path);
        var provider = ReadString(node, "provider", path);
        if (provider is not null && !_context.IsKnownProvider(provider))
        {
            Error($"{path}.provider", $"unknown provider '{provider}'");
        }

        // api_key is optional, unlike Portkey: a target without one is sent the credential the request carried.
        var apiKey = ReadString(node, "api_key", path);
        var virtualKey = ReadString(node, "virtual_key", path);
        var overrideParams = ReadOverrideParams(node, path);

        // override_params.model "@slug/model" names a virtual key, and so a provider, for this node and its targets.
        modelAddressed |= overrideParams.Any(p => p.Key == "model" && p.Value.ValueKind == JsonValueKind.String && ModelAddress.TryParse(p.Value.GetString(), out _));
        var retry = ReadRetry(node, path);
        var cache = ReadCache(node, path);
        var requestTimeout = ReadPositiveInteger(node, "request_timeout", path, "milliseconds");
        var customHost = ReadCustomHost(node, path);
        var forwardHeaders = ReadForwardHeaders(node, path);
        var strict = ReadBoolean(node, "strict_open_ai_compliance", path);
        var circuit = ReadCircuit(node, path);
        var providerOptions = ReadProviderOptions(node, path);

        var hasStrategy = TryGetValue(node, "strategy", out var strategyValue);
        var hasTargets = TryGetValue(node, "targets", out var targetsValue);
        ConfigNode[] targets = [];
        string[] targetErrors = [];
        if (hasTargets)
        {
            if (targetsValue.ValueKind != JsonValueKind.Array)
            {
                Error($"{path}.targets", "must be an array of targets");
            }
            else
            {
                // Children are read first (the strategy checks their names and weights), but their errors
                // are listed after this node's, so the list reads top-down.
                var mark = _errors.Count;
                targets = ReadTargets(targetsValue, path, modelAddressed);
                targetErrors = _errors.GetRange(mark, _errors.Count - mark).ToArray();
                _errors.RemoveRange(mark, _errors.Count - mark);
            }
        }

        StrategySettings? strategy = null;
        if (hasStrategy)
        {
            if (strategyValue.ValueKind != JsonValueKind.Object)
            {
                Error($"{path}.strategy", "must be an object");
            }
            else
            {
                strategy = ReadStrategy(strategyValue, path, targets);
                // Portkey writes cb_config on the strategy; ours on the node itself wins when both are given.
                var strategyCircuit = ReadCircuit(strategyValue, $"{path}.strategy");
                circuit ??= strategyCircuit;
            }

            if (!hasTargets || targetsValue is { ValueKind: JsonValueKind.Array } && targetsValue.GetArrayLength() == 0)
            {
                Error($"{path}.targets", "'strategy' needs a non-empty array of targets");
            }
        }
        else if (hasTargets)
        {
            Error($"{path}.strategy", $"'targets' needs a strategy (mode one of {ModeList})");
        }
        else if (!_context.HasDefaultProvider && !modelAddressed &&
                 !TryGetValue(node, "provider", out _) && !TryGetValue(node, "virtual_key", out _))
        {
            Error(path, "names no provider; add 'provider' (or 'virtual_key', or a model \"@virtual-key/model\"), or send the x-portkey-provider header");
        }

        _errors.AddRange(targetErrors);

        return new ConfigNode(path)
        {
            Name = name,
            Weight = weight,
            Strategy = strategy,
            Targets = targets,
            Provider = provider,
            ApiKey = apiKey,
            VirtualKey = virtualKey,
            OverrideParams = overrideParams,
            Retry = retry,
            Cache = cache,
            RequestTimeoutMs = requestTimeout,
            CustomHost = customHost,
            ForwardHeaders = forwardHeaders,
            StrictOpenAiCompliance = strict,
            Circuit = circuit,
            ProviderOptions = providerOptions,
        };
    }

    private ConfigNode[] ReadTargets(JsonElement targets, string path, bool modelAddressed)
    {
        var nodes = new List<ConfigNode>(targets.GetArrayLength());
        var index = 0;
        foreach (var target in targets.EnumerateArray())
        {
            var targetPath = $"{path}.targets[{index++}]";
            if (target.ValueKind == JsonValueKind.Object)
            {
                nodes.Add(ReadNode(target, targetPath, isRoot: false, modelAddressed));
            }
            else
            {
                Error(targetPath, "must be an object");
            }
        }

        return nodes.ToArray();
    }

    private StrategySettings? ReadStrategy(JsonElement strategy, string nodePath, IReadOnlyList<ConfigNode> targets)
    {
        var path = $"{nodePath}.strategy";
        StrategyMode? mode = null;
        if (!TryGetValue(strategy, "mode", out var modeValue))
        {
            Error($"{path}.mode", $"required: one of {ModeList}");
        }
        else if (modeValue.ValueKind == JsonValueKind.String && Modes.TryGetValue(modeValue.GetString()!, out var known))
        {
            mode = known;
        }
        else
        {
            var given = modeValue.ValueKind == JsonValueKind.String ? $" (got '{modeValue.GetString()}')" : "";
            Error($"{path}.mode", $"must be one of {ModeList}{given}");
        }

        var onStatusCodes = ReadStatusCodes(strategy, "on_status_codes", path);
        IReadOnlyList<ConditionalRule> conditions = [];
        string? defaultTarget = null;
        if (mode == StrategyMode.Conditional)
        {
            conditions = ReadConditions(strategy, path, nodePath, targets);
            defaultTarget = ReadDefaultTarget(strategy, path, nodePath, targets);
        }
        else if (mode == StrategyMode.LoadBalance && targets.Count > 0 && targets.All(t => t.Weight == 0))
        {
            Error(path, "loadbalance needs at least one target with weight > 0");
        }

        return mode is { } m ? new StrategySettings(m, onStatusCodes, conditions, defaultTarget) : null;
    }

    private ConditionalRule[] ReadConditions(JsonElement strategy, string path, string nodePath, IReadOnlyList<ConfigNode> targets)
    {
        var conditionsPath = $"{path}.conditions";
        if (!TryGetValue(strategy, "conditions", out var conditions) ||
            conditions.ValueKind != JsonValueKind.Array || conditions.GetArrayLength() == 0)
        {
            Error(conditionsPath, "conditional mode needs a non-empty array of {query, then}");
            return [];
        }

        var rules = new List<ConditionalRule>();
        var index = 0;
        foreach (var condition in conditions.EnumerateArray())
        {
            var conditionPath = $"{conditionsPath}[{index++}]";
            if (condition.ValueKind != JsonValueKind.Object)
            {
                Error(conditionPath, "must be an object with 'query' and 'then'");
                continue;
            }

            QueryCondition? query = null;
            if (TryGetValue(condition, "query", out var queryValue) && queryValue.ValueKind == JsonValueKind.Object)
            {
                query = CompileQuery(queryValue, $"{conditionPath}.query");
            }
            else
            {
                Error($"{conditionPath}.query", "must be a query object");
            }

            var then = ReadTargetName(condition, "then", conditionPath, nodePath, targets, required: true);
            if (query is not null && then is not null)
            {
                rules.Add(new ConditionalRule(query, then));
            }
        }

        return rules.ToArray();
    }

    private string? ReadDefaultTarget(JsonElement strategy, string path, string nodePath, IReadOnlyList<ConfigNode> targets) =>
        ReadTargetName(strategy, "default", path, nodePath, targets, required: false);

    private string? ReadTargetName(
        JsonElement owner, string key, string ownerPath, string nodePath, IReadOnlyList<ConfigNode> targets, bool required)
    {
        var path = $"{ownerPath}.{key}";
        if (!TryGetValue(owner, key, out var value))
        {
            if (required)
            {
                Error(path, "required: the name of a target");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Error(path, "must be the name of a target");
            return null;
        }

        var name = value.GetString()!;
        if (!targets.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal)))
        {
            Error(path, $"no target named '{name}' in {nodePath}.targets");
            return null;
        }

        return name;
    }

    private RetrySettings? ReadRetry(JsonElement node, string nodePath)
    {
        if (!TryGetValue(node, "retry", out var retry))
        {
            return null;
        }

        var path = $"{nodePath}.retry";
        if (retry.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object");
            return null;
        }

        var max = _context.MaxRetryAttempts;
        var attempts = 0;
        if (!TryGetValue(retry, "attempts", out var attemptsValue))
        {
            Error($"{path}.attempts", $"required: an integer from 0 to {max}");
        }
        else if (!TryGetInteger(attemptsValue, out attempts) || attempts < 0 || attempts > max)
        {
            Error($"{path}.attempts", $"must be an integer from 0 to {max}");
        }

        var codes = ReadStatusCodes(retry, "on_status_codes", path) ?? RetrySettings.DefaultStatusCodes;

        // Portkey OSS reads the singular spelling; its newer docs use the plural. The plural wins if both are given.
        var plural = ReadBoolean(retry, "use_retry_after_headers", path);
        var singular = ReadBoolean(retry, "use_retry_after_header", path);
        return new RetrySettings(attempts, codes, plural ?? singular ?? false);
    }

    private CacheSettings? ReadCache(JsonElement node, string nodePath)
    {
        if (!TryGetValue(node, "cache", out var cache))
        {
            return null;
        }

        var path = $"{nodePath}.cache";
        if (cache.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object");
            return null;
        }

        string? mode = null;
        if (!TryGetValue(cache, "mode", out var modeValue))
        {
            Error($"{path}.mode", "required: one of simple, semantic");
        }
        else if (modeValue.ValueKind == JsonValueKind.String && modeValue.GetString() is "simple" or "semantic")
        {
            mode = modeValue.GetString();
        }
        else
        {
            Error($"{path}.mode", "must be one of simple, semantic");
        }

        var maxAge = ReadPositiveInteger(cache, "max_age", path, "seconds");
        var threshold = ReadRatio(cache, "similarity_threshold", path, 1);
        var maxMessages = ReadPositiveInteger(cache, "max_messages", path, "messages");
        var keyMetadata = ReadBoolean(cache, "key_metadata", path) ?? false;
        var embedding = ReadEmbeddingTarget(cache, path);
        return mode is null ? null : new CacheSettings(mode, maxAge, threshold, maxMessages, keyMetadata, embedding);
    }

    /// <summary>
    /// <c>cache.embedding</c>: a target like any other (<c>provider</c> or <c>virtual_key</c>, <c>api_key</c>,
    /// <c>custom_host</c>, <c>override_params</c>) plus its <c>model</c>, without strategy, targets or a cache of its own.
    /// </summary>
    private ConfigNode? ReadEmbeddingTarget(JsonElement cache, string cachePath)
    {
        if (!TryGetValue(cache, "embedding", out var embedding))
        {
            return null;
        }

        var path = $"{cachePath}.embedding";
        if (embedding.ValueKind != JsonValueKind.Object)
        {
            Error(path, "must be an object naming an embeddings target: provider or virtual_key, and model");
            return null;
        }

        foreach (var nested in new[] { "strategy", "targets", "cache" })
        {
            if (TryGetValue(embedding, nested, out _))
            {
                Error($"{path}.{nested}", "is not allowed in an embeddings target");
            }
        }

        var model = ReadString(embedding, "model", path);
        if (model is null && !TryGetValue(embedding, "model", out _))
        {
            Error($"{path}.model", "required: the embedding model to call");
        }

        var target = ReadNode(embedding, path, isRoot: false, modelAddressed: false);
        if (model is null || target.Targets.Count > 0)
        {
            return null;
        }

        using var text = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(model));
        return new ConfigNode(path)
        {
            Provider = target.Provider,
            ApiKey = target.ApiKey,
            VirtualKey = target.VirtualKey,
            OverrideParams = [.. target.OverrideParams.Where(p => p.Key != "model"), new("model", text.RootElement.Clone())],
            RequestTimeoutMs = target.RequestTimeoutMs,
            CustomHost = target.CustomHost,
            Retry = target.Retry,
            Circuit = target.Circuit,
            ProviderOptions = target.ProviderOptions,
        };
    }

    private string? ReadCustomHost(JsonElement node, string path)
    {
        var host = ReadString(node, "custom_host", path);
        if (host is not null && _context.CheckCustomHost(host) is { } refusal)
        {
            Error($"{path}.custom_host", refusal);
        }

        return host;
    }

    private string[]? ReadForwardHeaders(JsonElement node, string nodePath)
    {
        if (!TryGetValue(node, "forward_headers", out var headers))
        {
            return null;
        }

        var path = $"{nodePath}.forward_headers";
        if (headers.ValueKind != JsonValueKind.Array)
        {
            Error(path, "must be an array of header names");
            return null;
        }

        var names = new List<string>();
        var index = 0;
        foreach (var header in headers.EnumerateArray())
        {
            var headerPath = $"{path}[{index++}]";
            if (header.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(header.GetString()))
            {
                Error(headerPath, "must be a header name");
            }
            else if (string.Equals(header.GetString(), GatewayHeaders.ForwardHeaders, StringComparison.OrdinalIgnoreCase))
            {
                // Portkey refuses it too: the header would name itself as forwardable.
                Error(headerPath, $"may not list '{GatewayHeaders.ForwardHeaders}' itself");
            }
            else
            {
                names.Add(header.GetString()!);
            }
        }

        return names.ToArray();
    }

    private KeyValuePair<string, JsonElement>[] ReadOverrideParams(JsonElement node, string nodePath)
    {
        if (!TryGetValue(node, "override_params", out var overrides))
        {
            return [];
        }

        if (overrides.ValueKind != JsonValueKind.Object)
        {
            Error($"{nodePath}.override_params", "must be an object");
            return [];
        }

        // A repeated key keeps its first position with its last value, as JSON.parse does.
        var pairs = new List<KeyValuePair<string, JsonElement>>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in overrides.EnumerateObject())
        {
            var pair = new KeyValuePair<string, JsonElement>(property.Name, property.Value);
            if (positions.TryGetValue(property.Name, out var at))
            {
                pairs[at] = pair;
            }
            else
            {
                positions[property.Name] = pairs.Count;
                pairs.Add(pair);
            }
        }

        return pairs.ToArray();
    }

    private IReadOnlyDictionary<string, string> ReadProviderOptions(JsonElement node, string nodePath)
    {
        Dictionary<string, string>? options = null;
        foreach (var property in node.EnumerateObject())
        {
            if (!ProviderOptionNames.Contains(property.Name))
            {
                continue;
            }

            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    (options ??= new(StringComparer.Ordinal))[property.Name] = value.GetString()!;
                    break;
                case JsonValueKind.Object or JsonValueKind.Array:
                    // e.g. vertex_service_account_json: kept as JSON text for the adapter to read.
                    (options ??= new(StringComparer.Ordinal))[property.Name] = value.GetRawText();
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    Error($"{nodePath}.{property.Name}", "must be a string");
                    break;
            }
        }

        return options is null
            ? FrozenDictionary<string, string>.Empty
            : options.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private int[]? ReadStatusCodes(JsonElement owner, string key, string ownerPath)
    {
        if (!TryGetValue(owner, key, out var codes))
        {
            return null;
        }

        var path = $"{ownerPath}.{key}";
        if (codes.ValueKind != JsonValueKind.Array)
        {
            Error(path, "must be an array of HTTP status codes (integers from 100 to 599)");
            return null;
        }

        var list = new List<int>();
        var index = 0;
        foreach (var code in codes.EnumerateArray())
        {
            if (TryGetInteger(code, out var status) && status is >= 100 and <= 599)
            {
                list.Add(status);
            }
            else
            {
                Error($"{path}[{index}]", "must be an integer from 100 to 599");
            }

            index++;
        }

        return list.ToArray();
    }

    private double ReadWeight(JsonElement node, string path)
    {
        if (!TryGetValue(node, "weight", out var value))
        {
            return 1;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var weight) &&
            double.IsFinite(weight) && weight >= 0)
        {
            return weight;
        }

        Error($"{path}.weight", "must be a number >= 0");
        return 1;
    }

    private int? ReadPositiveInteger(JsonElement owner, string key, string ownerPath, string unit)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (TryGetInteger(value, out var number) && number > 0)
        {
            return number;
        }

        Error($"{ownerPath}.{key}", $"must be a positive integer ({unit})");
        return null;
    }

    private string? ReadString(JsonElement owner, string key, string ownerPath)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        Error($"{ownerPath}.{key}", "must be a string");
        return null;
    }

    private bool? ReadBoolean(JsonElement owner, string key, string ownerPath)
    {
        if (!TryGetValue(owner, key, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Error($"{ownerPath}.{key}", "must be true or false");
        return null;
    }

    // JSON null counts as absent: clients often serialise unset optional fields as null.
    private static bool TryGetValue(JsonElement owner, string key, out JsonElement value) =>
        owner.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    // Whole numbers written as 3, 3.0 or 3e0 all count; JavaScript clients cannot tell them apart.
    private static bool TryGetInteger(JsonElement value, out int number)
    {
        number = 0;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var d) ||
            !double.IsFinite(d) || Math.Truncate(d) != d || d < int.MinValue || d > int.MaxValue)
        {
            return false;
        }

        number = (int)d;
        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private void Error(string path, string message) => _errors.Add($"{path}: {message}");
}
