using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchyard.FrontDoor.Bootstrap;

/// <summary>
/// YAML to JSON with YAML 1.2 core-schema scalars: a plain <c>true</c>, <c>42</c>, <c>2.5</c> or <c>null</c> becomes
/// that JSON value, anything quoted stays a string. Lets YAML bodies go through the admin API's own JSON readers.
/// </summary>
internal static class YamlJson
{
    /// <summary>Converts <paramref name="node"/>; <paramref name="resolveString"/> may rewrite each string scalar (given its path).</summary>
    public static JsonNode? ToJson(YamlNode node, string path, Func<string, string, string>? resolveString = null)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } text } ? text : throw new BootstrapException($"{path}: keys must be plain strings");
                    obj[name] = ToJson(value, Join(path, name), resolveString);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item, $"{path}[{i++}]", resolveString));
                }

                return array;
            case YamlScalarNode scalar:
                var raw = scalar.Value ?? string.Empty;
                if (scalar.Style is ScalarStyle.Plain)
                {
                    if (raw is "" or "~" or "null" or "Null" or "NULL")
                    {
                        return null;
                    }

                    if (raw is "true" or "True" or "TRUE")
                    {
                        return JsonValue.Create(true);
                    }

                    if (raw is "false" or "False" or "FALSE")
                    {
                        return JsonValue.Create(false);
                    }

                    if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                    {
                        return JsonValue.Create(whole);
                    }

                    if (decimal.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
                    {
                        return JsonValue.Create(number);
                    }
                }

                return JsonValue.Create(resolveString is null ? raw : resolveString(raw, path));
            default:
                throw new BootstrapException($"{path}: YAML anchors and aliases are not supported");
        }
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}

/// <summary>The bootstrap file is wrong; the message names the path in the file.</summary>
public sealed class BootstrapException(string message, Exception? innerException = null) : Exception(message, innerException);
