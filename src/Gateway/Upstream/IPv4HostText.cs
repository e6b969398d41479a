using System.Net;

namespace Switchyard.Gateway.Upstream;

/// <summary>How a URL host reads as an IPv4 address.</summary>
internal enum IPv4HostForm
{
    /// <summary>A host name: the last label is not a number.</summary>
    NotIPv4,

    /// <summary>Looks like an IPv4 address but is not a valid one (too many parts, a part too large, bad digits).</summary>
    Invalid,

    /// <summary>Four decimal parts without leading zeros, e.g. <c>10.0.0.1</c>.</summary>
    DottedDecimal,

    /// <summary>
    /// A form resolvers and URL parsers still accept but people do not write: <c>2130706433</c>,
    /// <c>0x7f.0.0.1</c>, <c>0177.0.0.1</c>, <c>127.1</c>.
    /// </summary>
    Obfuscated,
}

/// <summary>
/// Reads a URL host the way browsers and <c>inet_aton</c> do (WHATWG URL "IPv4 parser"): a host
/// whose last label is a number is an IPv4 address, each part may be decimal, octal (leading 0)
/// or hex (0x), and the last part fills the remaining bytes.
/// </summary>
/// <remarks>
/// Parsed by hand because what matters is what any resolver on the path might make of the text;
/// <see cref="Uri"/> and <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> each accept
/// a different subset of these forms.
/// </remarks>
internal static class IPv4HostText
{
    public static IPv4HostForm Parse(string host, out IPAddress? address)
    {
        address = null;
        var parts = host.Split('.');
        if (parts.Length > 1 && parts[^1].Length == 0)
        {
            parts = parts[..^1];
        }

        if (!IsNumber(parts[^1]))
        {
            return IPv4HostForm.NotIPv4;
        }

        if (parts.Length > 4)
        {
            return IPv4HostForm.Invalid;
        }

        var values = new ulong[parts.Length];
        var dottedDecimal = parts.Length == 4;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParsePart(parts[i], out values[i], out var plainDecimal))
            {
                return IPv4HostForm.Invalid;
            }

            dottedDecimal &= plainDecimal && values[i] <= 255;
        }

        for (var i = 0; i < values.Length - 1; i++)
        {
            if (values[i] > 255)
            {
                return IPv4HostForm.Invalid;
            }
        }

        var lastBytes = 5 - values.Length;
        if (values[^1] >= 1UL << (8 * lastBytes))
        {
            return IPv4HostForm.Invalid;
        }

        var result = values[^1];
        for (var i = 0; i < values.Length - 1; i++)
        {
            result |= values[i] << (8 * (3 - i));
        }

        address = new IPAddress([(byte)(result >> 24), (byte)(result >> 16), (byte)(result >> 8), (byte)result]);
        return dottedDecimal ? IPv4HostForm.DottedDecimal : IPv4HostForm.Obfuscated;
    }

    private static bool IsNumber(string part)
    {
        if (part.Length == 0)
        {
            return false;
        }

        if (part.Length >= 2 && part[0] == '0' && (part[1] is 'x' or 'X'))
        {
            return !part.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF");
        }

        return !part.AsSpan().ContainsAnyExcept("0123456789");
    }

    private static bool TryParsePart(string part, out ulong value, out bool plainDecimal)
    {
        value = 0;
        plainDecimal = false;
        if (part.Length == 0)
        {
            return false;
        }

        var digits = part.AsSpan();
        var radix = 10u;
        if (digits.Length >= 2 && digits[0] == '0' && (digits[1] is 'x' or 'X'))
        {
            radix = 16;
            digits = digits[2..];
        }
        else if (digits.Length >= 2 && digits[0] == '0')
        {
            radix = 8;
            digits = digits[1..];
        }
        else
        {
            plainDecimal = true;
        }

        foreach (var c in digits)
        {
            var digit = c switch
            {
                >= '0' and <= '9' => (uint)(c - '0'),
                >= 'a' and <= 'f' => (uint)(c - 'a' + 10),
                >= 'A' and <= 'F' => (uint)(c - 'A' + 10),
                _ => uint.MaxValue,
            };
            if (digit >= radix)
            {
                return false;
            }

            value = (value * radix) + digit;

            // Anything past 32 bits is invalid whatever follows; stopping here also keeps ulong from overflowing.
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        return true;
    }
}
