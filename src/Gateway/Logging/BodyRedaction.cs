using System.Text.RegularExpressions;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// Masks secrets and personal data in a logged body (a workspace whose log policy is <c>Redacted</c>): provider and
/// Switchyard API keys, bearer tokens, JWTs, e-mail addresses, card numbers (Luhn-valid only), US social security
/// numbers and phone numbers each become <c>[REDACTED:kind]</c>. One source-generated pattern, one pass over the text;
/// at a given place the first kind listed wins, so a key inside a bearer header is one bearer token.
/// </summary>
internal static partial class BodyRedaction
{
    public static string Redact(string text) => Pattern().Replace(text, static match => Replacement(match));

    private static string Replacement(Match match)
    {
        var groups = match.Groups;
        if (groups["bearer"].Success)
        {
            return groups["scheme"].Value + "[REDACTED:bearer]";
        }

        if (groups["card"].Success)
        {
            return IsLuhnValid(match.ValueSpan) ? "[REDACTED:card]" : match.Value;
        }

        return groups["jwt"].Success ? "[REDACTED:jwt]"
            : groups["key"].Success ? "[REDACTED:api_key]"
            : groups["email"].Success ? "[REDACTED:email]"
            : groups["ssn"].Success ? "[REDACTED:ssn]"
            : "[REDACTED:phone]";
    }

    /// <summary>The Luhn checksum over the digits (separators skipped), as every payment card number satisfies.</summary>
    internal static bool IsLuhnValid(ReadOnlySpan<char> number)
    {
        int sum = 0, digits = 0;
        for (var i = number.Length - 1; i >= 0; i--)
        {
            var c = number[i];
            if (c is < '0' or > '9')
            {
                continue;
            }

            var d = c - '0';
            if (digits++ % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    // Keys: Switchyard's (sk-sy-), Anthropic's (sk-ant-), OpenAI's and its look-alikes (sk-, sk-proj-), AWS access key
    // ids (AKIA, ASIA), Google's (AIza), Groq's (gsk_), xAI's (xai-), Replicate's (r8_), Hugging Face's (hf_),
    // GitHub's (ghp_, github_pat_).
    [GeneratedRegex("""
        (?<jwt>\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+)
        |(?<bearer>(?<scheme>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,})
        |(?<key>\b(?:sk-sy-[A-Za-z0-9_-]{8,}|sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|gsk_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|r8_[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}|ghp_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}))
        |(?<email>\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)
        |(?<card>(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-]))
        |(?<ssn>(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-]))
        |(?<phone>(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]?\d{3}[ .-]?\d{4}(?!\w))
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.ExplicitCapture | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
