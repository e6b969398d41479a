using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// A compiled <c>strategy.conditions[].query</c>. Built by the config parser only, so every operator and
/// operand was checked once at load and matching never fails.
/// </summary>
public abstract record QueryCondition
{
    private protected QueryCondition()
    {
    }

    public abstract bool Matches(RoutingFacts facts);
}

/// <summary>Keys of one query object, and <c>$and</c>: every part must match.</summary>
internal sealed record AllOfCondition(IReadOnlyList<QueryCondition> Parts) : QueryCondition
{
    public override bool Matches(RoutingFacts facts)
    {
        foreach (var part in Parts)
        {
            if (!part.Matches(facts))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary><c>$or</c>: at least one part must match.</summary>
internal sealed record AnyOfCondition(IReadOnlyList<QueryCondition> Parts) : QueryCondition
{
    public override bool Matches(RoutingFacts facts)
    {
        foreach (var part in Parts)
        {
            if (part.Matches(facts))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A test on one fact, e.g. <c>metadata.tier</c>.</summary>
internal abstract record FieldCondition(string Field) : QueryCondition
{
    private readonly string[] _segments = Field.Split('.');

    public sealed override bool Matches(RoutingFacts facts) =>
        facts.TryGet(_segments, out var value) ? MatchesValue(value) : MatchesMissing;

    /// <summary>Portkey compares against <c>undefined</c>: only the negative operators hold.</summary>
    protected virtual bool MatchesMissing => false;

    protected abstract bool MatchesValue(JsonElement value);
}

/// <summary><c>$eq</c>, <c>$ne</c> and a plain value.</summary>
internal sealed record FieldEqualsCondition(string Field, JsonElement Value, bool Negated) : FieldCondition(Field)
{
    protected override bool MatchesMissing => Negated;

    protected override bool MatchesValue(JsonElement value) => FactValue.AreEqual(value, Value) != Negated;
}

/// <summary><c>$in</c>, <c>$nin</c>.</summary>
internal sealed record FieldInCondition(string Field, IReadOnlyList<JsonElement> Values, bool Negated) : FieldCondition(Field)
{
    protected override bool MatchesMissing => Negated;

    protected override bool MatchesValue(JsonElement value)
    {
        foreach (var candidate in Values)
        {
            if (FactValue.AreEqual(value, candidate))
            {
                return !Negated;
            }
        }

        return Negated;
    }
}

internal enum Comparison
{
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

/// <summary><c>$gt</c>, <c>$gte</c>, <c>$lt</c>, <c>$lte</c>: numeric only; a non-numeric fact never matches.</summary>
internal sealed record FieldComparisonCondition(string Field, Comparison Comparison, double Operand) : FieldCondition(Field)
{
    protected override bool MatchesValue(JsonElement value) =>
        FactValue.TryGetNumber(value, out var number) && Comparison switch
        {
            Comparison.GreaterThan => number > Operand,
            Comparison.GreaterThanOrEqual => number >= Operand,
            Comparison.LessThan => number < Operand,
            _ => number <= Operand,
        };
}

/// <summary><c>$regex</c>, compiled at load with a match timeout.</summary>
internal sealed record FieldRegexCondition(string Field, Regex Pattern) : FieldCondition(Field)
{
    protected override bool MatchesValue(JsonElement value)
    {
        if (!FactValue.TryGetText(value, out var text))
        {
            return false;
        }

        try
        {
            return Pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that backtracks past its budget on this input is a non-match, not a failed request.
            return false;
        }
    }
}

/// <summary>How conditions read JSON facts.</summary>
internal static class FactValue
{
    /// <summary>JSON-value equality: no type coercion ("5" is not 5), numbers by value, objects and arrays deeply.</summary>
    public static bool AreEqual(JsonElement left, JsonElement right) => JsonElement.DeepEquals(left, right);

    /// <summary>Numbers, and strings that read as a finite number in the invariant culture.</summary>
    public static bool TryGetNumber(JsonElement value, out double number)
    {
        number = 0;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out number),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
        return ok && double.IsFinite(number);
    }

    /// <summary>Strings as they are; numbers and booleans as their JSON text, so <c>$regex</c> can test them.</summary>
    public static bool TryGetText(JsonElement value, out string text)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                text = value.GetString()!;
                return true;
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                text = value.GetRawText();
                return true;
            default:
                text = "";
                return false;
        }
    }
}
