using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Gateway.Upstream;

/// <summary>
/// Decides whether a custom host (<c>x-portkey-custom-host</c>, config <c>custom_host</c>) may replace a
/// provider's base URL. A custom host makes the gateway send requests, with provider keys, to a URL the
/// caller chose, so it is an SSRF vector: only public http(s) endpoints pass unless an operator trusts
/// the host in <c>Switchyard:Gateway:TrustedCustomHosts</c>.
/// </summary>
/// <remarks>
/// <see cref="Check"/> judges the URL text. Names are only resolved later, so the HTTP connect callback
/// must also refuse an address for which <see cref="IsForbiddenAddress"/> is true unless the host it
/// connects for <see cref="IsAllowListed"/>; otherwise a public name that resolves (or rebinds) to a
/// private address would get through.
/// </remarks>
internal sealed class CustomHostPolicy
{
    internal const string AllowListKey = GatewayOptions.Section + ":" + nameof(GatewayOptions.TrustedCustomHosts);

    private const string AllowListHint = "; add it to " + AllowListKey + " to allow it";
    private const int MaxEchoedLength = 200;

    // Names that never belong to a model provider and answer with instance credentials.
    private static readonly FrozenSet<string> MetadataHostNames = FrozenSet.Create(
        StringComparer.Ordinal,
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com");

    // Suffixes used only inside private networks (RFC 6761, RFC 6762, RFC 8375 and common practice);
    // a public DNS name cannot end in them, so refusing them costs nothing.
    private static readonly string[] InternalSuffixes =
    [
        "localhost", "local", "internal", "intranet", "lan", "home.arpa", "corp", "private", "localdomain", "home", "svc",
    ];

    private readonly FrozenSet<string> _trustedHosts;

    /// <param name="trustedHosts">Host names and IP literals to allow although the rules would refuse them.</param>
    /// <exception cref="ArgumentException">An entry is not a bare host name or IP literal.</exception>
    public CustomHostPolicy(IEnumerable<string> trustedHosts)
    {
        ArgumentNullException.ThrowIfNull(trustedHosts);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in trustedHosts)
        {
            var host = entry is null ? null : NormalizeHost(entry);
            if (host is null || !IsWellFormedHost(host))
            {
                // Failing at start-up beats a list entry that silently never matches.
                throw new ArgumentException(
                    $"{AllowListKey} entry '{entry}' must be a host name or IP literal, without scheme, port, path or wildcard.",
                    nameof(trustedHosts));
            }

            set.Add(host);
        }

        _trustedHosts = set.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Checks a custom host URL. Returns null when it may be used, otherwise a message for the caller
    /// that says what is wrong and how to fix it.
    /// </summary>
    public string? Check(string customHost)
    {
        ArgumentNullException.ThrowIfNull(customHost);
        var shown = Echo(customHost);
        if (customHost.Length == 0)
        {
            return "custom host is empty; give an absolute http or https URL such as https://host/v1";
        }

        if (customHost.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"custom host '{shown}' contains whitespace or control characters; remove them";
        }

        // Parsers disagree on whether '\' ends the authority, which is how 'http://evil\@good' tricks work.
        if (customHost.Contains('\\', StringComparison.Ordinal))
        {
            return $"custom host '{shown}' contains a backslash; use '/' in URLs";
        }

        var colon = customHost.IndexOf(':', StringComparison.Ordinal);

        // 'localhost:8080/v1' would otherwise read as the scheme 'localhost'.
        var portWithoutScheme = colon > 0 && colon + 1 < customHost.Length && char.IsAsciiDigit(customHost[colon + 1]);
        if (colon <= 0 || portWithoutScheme || !IsSchemeText(customHost.AsSpan(0, colon)))
        {
            return $"custom host '{shown}' is not an absolute URL; give it as http(s)://host[:port]/path";
        }

        var scheme = customHost[..colon].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return $"custom host '{shown}' uses the scheme '{scheme}'; only http and https are allowed";
        }

        if (!customHost.AsSpan(colon + 1).StartsWith("//"))
        {
            return $"custom host '{shown}' is not an absolute URL; give it as {scheme}://host[:port]/path";
        }

        var rest = customHost[(colon + 3)..];
        var authorityEnd = rest.AsSpan().IndexOfAny("/?#");
        var authority = authorityEnd < 0 ? rest : rest[..authorityEnd];
        var tail = authorityEnd < 0 ? "" : rest[authorityEnd..];

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            return $"custom host '{shown}' contains user info (the part before '@'); remove it and send credentials in headers";
        }

        if (tail.AsSpan().ContainsAny("?#"))
        {
            return $"custom host '{shown}' has a query or fragment; give only scheme, host, port and path";
        }

        if (!TrySplitAuthority(authority, out var hostText, out var bracketed, out var portText))
        {
            return $"custom host '{shown}' has a malformed host; put IPv6 addresses in brackets, e.g. http://[2001:db8::1]:8000/v1";
        }

        if (portText is not null && !IsValidPort(portText))
        {
            return $"custom host '{shown}' has an invalid port '{portText}'; use a number from 1 to 65535";
        }

        if (hostText.Length == 0)
        {
            return $"custom host '{shown}' has no host name";
        }

        if (!Ascii.IsValid(hostText))
        {
            return $"custom host '{shown}' has a non-ASCII host name; write it in its ASCII (xn--) form";
        }

        if (hostText.Contains('%', StringComparison.Ordinal))
        {
            return $"custom host '{shown}' has a percent-encoded host or an IPv6 zone; write the host plainly";
        }

        var host = NormalizeHost(bracketed ? $"[{hostText}]" : hostText);
        if (host is null && bracketed)
        {
            return $"custom host '{shown}' has an invalid IPv6 address in brackets";
        }

        if (host is null || (!bracketed && IsIPv6Literal(host)))
        {
            return $"custom host '{shown}' has a malformed host; put IPv6 addresses in brackets, e.g. http://[2001:db8::1]:8000/v1";
        }

        if (!IsWellFormedHost(host))
        {
            return $"custom host '{shown}' has an invalid host name";
        }

        // What HttpClient will actually use must parse too, and must agree with the rules below.
        if (!Uri.TryCreate(customHost, UriKind.Absolute, out var uri))
        {
            return $"custom host '{shown}' is not a valid URL";
        }

        if (_trustedHosts.Contains(host))
        {
            return null;
        }

        var reason = DescribeHost(host, bracketed);
        if (reason is null && NormalizeHost(uri.IdnHost) is { } parsedHost && parsedHost != host)
        {
            reason = DescribeHost(parsedHost, uri.HostNameType == UriHostNameType.IPv6);
        }

        return reason is null ? null : $"custom host '{shown}' {reason}";
    }

    /// <summary>
    /// True when a custom host may not connect to <paramref name="address"/>: loopback, private,
    /// link-local, CGNAT, unspecified, multicast, broadcast, reserved, unique-local, cloud metadata,
    /// and IPv6 forms embedding any of these. The allow-list is not consulted; see <see cref="IsAllowListed"/>.
    /// </summary>
    public bool IsForbiddenAddress(IPAddress address) => ForbiddenAddresses.Describe(address) is not null;

    /// <summary>
    /// True when <paramref name="host"/> (a host name or IP literal, IPv6 with or without brackets) is in
    /// the allow-list, compared case-insensitively and ignoring a trailing dot.
    /// </summary>
    public bool IsAllowListed(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return NormalizeHost(host) is { } normalized && _trustedHosts.Contains(normalized);
    }

    /// <summary>Why a normalized host is refused (with the fix), or null when it is acceptable.</summary>
    private static string? DescribeHost(string host, bool isIPv6)
    {
        if (isIPv6)
        {
            var v6 = IPAddress.Parse(host);
            return ForbiddenAddresses.Describe(v6) is { } kind ? $"points at {kind}{AllowListHint}" : null;
        }

        switch (IPv4HostText.Parse(host, out var v4))
        {
            case IPv4HostForm.Invalid:
                return "has an invalid IPv4 address; write it as four decimal numbers, e.g. 203.0.113.7";
            case IPv4HostForm.DottedDecimal:
                return ForbiddenAddresses.Describe(v4!) is { } kind ? $"points at {kind}{AllowListHint}" : null;
            case IPv4HostForm.Obfuscated:
                // Refused even when the address is public: nobody writes 0x08080808 except to get past a filter.
                return ForbiddenAddresses.Describe(v4!) is { } hidden
                    ? $"points at {hidden} ({v4} written as '{host}'); write it as {v4}, and add that to {AllowListKey} to allow it"
                    : $"writes the IPv4 address {v4} in a non-standard form ('{host}'); write it as {v4}";
        }

        if (MetadataHostNames.Contains(host))
        {
            return $"points at a cloud metadata service{AllowListHint}";
        }

        foreach (var suffix in InternalSuffixes)
        {
            if (host == suffix || host.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return $"names an internal host ('.{suffix}' is used only inside private networks){AllowListHint}";
            }
        }

        if (!host.Contains('.', StringComparison.Ordinal))
        {
            // A dotless name resolves through local search domains (docker, kubernetes, corporate DNS).
            return $"names a single-label host that resolves only inside a private network; use a fully qualified name{AllowListHint}";
        }

        return null;
    }

    /// <summary>
    /// Lowercases, drops one trailing dot and the brackets around IPv6 literals, and writes IPv6 in its
    /// canonical form so every spelling of an address compares equal. Null for text that is no host at all.
    /// </summary>
    private static string? NormalizeHost(string host)
    {
        var text = host.ToLowerInvariant();
        if (text.Length >= 2 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
            return IPAddress.TryParse(text, out var bracketed) && bracketed.AddressFamily == AddressFamily.InterNetworkV6
                && !text.Contains('%', StringComparison.Ordinal)
                ? bracketed.ToString()
                : null;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                && !text.Contains('%', StringComparison.Ordinal)
                ? v6.ToString()
                : null;
        }

        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// The custom host as quoted back in messages: cut to a readable length, control characters
    /// escaped so a message cannot forge extra lines in a log.
    /// </summary>
    private static string Echo(string customHost)
    {
        var text = customHost.Length <= MaxEchoedLength ? customHost : customHost[..MaxEchoedLength] + "…";
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool IsIPv6Literal(string normalizedHost) => normalizedHost.Contains(':', StringComparison.Ordinal);

    private static bool IsWellFormedHost(string normalizedHost)
    {
        if (IsIPv6Literal(normalizedHost))
        {
            return true;
        }

        if (normalizedHost.Length > 253)
        {
            return false;
        }

        foreach (var label in normalizedHost.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-_"))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSchemeText(ReadOnlySpan<char> scheme) =>
        char.IsAsciiLetter(scheme[0]) && !scheme.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    private static bool TrySplitAuthority(string authority, out string host, out bool bracketed, out string? port)
    {
        host = "";
        port = null;
        bracketed = authority.StartsWith('[');
        if (bracketed)
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length == 0)
            {
                return true;
            }

            if (after[0] != ':')
            {
                return false;
            }

            port = after[1..];
            return true;
        }

        if (authority.AsSpan().ContainsAny("[]"))
        {
            return false;
        }

        var colon = authority.LastIndexOf(':');
        if (colon < 0)
        {
            host = authority;
            return true;
        }

        host = authority[..colon];
        port = authority[(colon + 1)..];
        return true;
    }

    private static bool IsValidPort(string port) =>
        port.Length is > 0 and <= 5
        && !port.AsSpan().ContainsAnyExcept("0123456789")
        && int.Parse(port, CultureInfo.InvariantCulture) is >= 1 and <= 65535;
}
