using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Gateway.Routing;

/// <summary>Compiles <c>strategy.conditions[].query</c> objects into <see cref="QueryCondition"/> trees.</summary>
internal sealed partial class RoutingConfigParser
{
    /// <summary>Budget for one <c>$regex</c> match, so a backtracking pattern cannot stall a request.</summary>
    internal static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly FrozenSet<string> FieldOperators = new[]
    {
        "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex",
    }.ToFrozenSet(StringComparer.Ordinal);

    private QueryCondition CompileQuery(JsonElement query, string path)
    {
        var parts = new List<QueryCondition>();
        foreach (var property in query.EnumerateObject())
        {
            var key = property.Name;
            if (key is "$and" or "$or")
            {
                var list = CompileQueryList(property.Value, $"{path}.{key}");
                parts.Add(key == "$and" ? new AllOfCondition(list) : new AnyOfCondition(list));
            }
            else if (FieldOperators.Contains(key))
            {
                Error(path, $"operator '{key}' needs a field, as in {{\"metadata.tier\": {{\"{key}\": ...}}}}");
            }
            else if (key.StartsWith('$'))
            {
                Error(path, $"unsupported operator '{key}'");
            }
            else if (CompileField(key, property.Value, $"{path}.{key}") is { } field)
            {
                parts.Add(field);
            }
        }

        // Keys of one object are ANDed, $and/$or/$regex included (Portkey returns early on those and drops siblings).
        return parts.Count == 1 ? parts[0] : new AllOfCondition(parts.ToArray());
    }

    private QueryCondition[] CompileQueryList(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(path, "must be an array of query objects");
            return [];
        }

        var list = new List<QueryCondition>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemPath = $"{path}[{index++}]";
            if (item.ValueKind == JsonValueKind.Object)
            {
                list.Add(CompileQuery(item, itemPath));
            }
            else
            {
                Error(itemPath, "must be a query object");
            }
        }

        return list.ToArray();
    }

    private QueryCondition? CompileField(string field, JsonElement value, string path)
    {
        var knownField = IsFactPath(field);
        if (!knownField)
        {
            Error(path, "unknown field; conditions can read metadata.*, params.* and url.pathname");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return knownField ? new FieldEqualsCondition(field, value, Negated: false) : null;
        }

        var parts = new List<QueryCondition>();
        var operators = 0;
        foreach (var property in value.EnumerateObject())
        {
            operators++;
            if (CompileOperator(field, property.Name, property.Value, path) is { } part)
            {
                parts.Add(part);
            }
        }

        if (operators == 0)
        {
            Error(path, "must name at least one operator, e.g. {\"$eq\": ...}");
        }

        if (!knownField || parts.Count == 0)
        {
            return null;
        }

        return parts.Count == 1 ? parts[0] : new AllOfCondition(parts.ToArray());
    }

    private QueryCondition? CompileOperator(string field, string op, JsonElement operand, string fieldPath)
    {
        var path = $"{fieldPath}.{op}";
        switch (op)
        {
            case "$eq" or "$ne":
                return new FieldEqualsCondition(field, operand, Negated: op == "$ne");
            case "$gt" or "$gte" or "$lt" or "$lte":
                if (!FactValue.TryGetNumber(operand, out var number))
                {
                    Error(path, "must be a number");
                    return null;
                }

                var comparison = op switch
                {
                    "$gt" => Comparison.GreaterThan,
                    "$gte" => Comparison.GreaterThanOrEqual,
                    "$lt" => Comparison.LessThan,
                    _ => Comparison.LessThanOrEqual,
                };
                return new FieldComparisonCondition(field, comparison, number);
            case "$in" or "$nin":
                if (operand.ValueKind != JsonValueKind.Array)
                {
                    Error(path, "must be an array");
                    return null;
                }

                return new FieldInCondition(field, operand.EnumerateArray().ToArray(), Negated: op == "$nin");
            case "$regex":
                if (operand.ValueKind != JsonValueKind.String)
                {
                    Error(path, "must be a string holding a regular expression");
                    return null;
                }

                try
                {
                    var pattern = new Regex(operand.GetString()!, RegexOptions.CultureInvariant, RegexMatchTimeout);
                    return new FieldRegexCondition(field, pattern);
                }
                catch (ArgumentException ex)
                {
                    Error(path, $"not a valid regular expression ({ex.Message})");
                    return null;
                }

            default:
                Error(fieldPath, $"unsupported operator '{op}'");
                return null;
        }
    }

    // metadata.* and params.* at any depth (and the objects themselves), or exactly url.pathname.
    private static bool IsFactPath(string field)
    {
        var segments = field.Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            return false;
        }

        return segments[0] is "metadata" or "params" || field == "url.pathname";
    }
}
