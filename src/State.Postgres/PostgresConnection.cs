using System.Globalization;
using Npgsql;

namespace Switchyard.State.Postgres;

/// <summary>
/// Turns what an operator configures into an Npgsql connection string. Hosted PostgreSQL services hand out libpq URLs
/// (<c>postgres://user:pass@host:5432/db?sslmode=require</c>), Npgsql only reads <c>Key=Value;</c> strings, so both are
/// accepted. Error messages never repeat the input: it carries the password.
/// </summary>
/// <remarks>Public for <see cref="ForOrleans"/>, which the silo and front-door hosts call; the rest stays internal.</remarks>
public static class PostgresConnection
{
    /// <summary>libpq URL parameters and the Npgsql keyword each one becomes.</summary>
    private static readonly Dictionary<string, string> LibpqParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application_name"] = "Application Name",
        ["connect_timeout"] = "Timeout",
        ["options"] = "Options",
        ["sslcert"] = "SSL Certificate",
        ["sslkey"] = "SSL Key",
        ["sslpassword"] = "SSL Password",
        ["sslrootcert"] = "Root Certificate",
        ["target_session_attrs"] = "Target Session Attributes",
        ["user"] = "Username",
        ["password"] = "Password",
        ["dbname"] = "Database",
        ["host"] = "Host",
        ["port"] = "Port",
    };

    private static readonly Dictionary<string, SslMode> SslModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["disable"] = SslMode.Disable,
        ["allow"] = SslMode.Allow,
        ["prefer"] = SslMode.Prefer,
        ["require"] = SslMode.Require,
        ["verify-ca"] = SslMode.VerifyCA,
        ["verify-full"] = SslMode.VerifyFull,
    };

    /// <summary>
    /// The connection string Orleans' ADO.NET providers (clustering, grain storage) use: the same server, database and
    /// credentials as the state store, its <c>orleans</c> schema first on the search path (the providers read their
    /// stored queries from an unqualified <c>OrleansQuery</c> table, which schema migration 5 creates there), and a pool
    /// of at most <paramref name="maxPoolSize"/> connections.
    /// </summary>
    /// <remarks>
    /// Keep the pool small (4 to 10). Every silo, every front door, the state store's own pool and the migration all draw
    /// from the server's one <c>max_connections</c> (100 by default, a few of them reserved): with pools of 50 per silo, a
    /// small cluster was measured failing with "53300: sorry, too many clients already". Orleans' providers hold a
    /// connection only for one short statement (a heartbeat, a membership read, one grain state write), and every
    /// provider given this same string shares one Npgsql pool, so a handful of connections serves a silo.
    /// </remarks>
    /// <param name="urlOrConnectionString">What <see cref="FromUrlOrConnectionString"/> accepts: a <c>Key=Value</c> string or a postgres:// URL.</param>
    /// <param name="maxPoolSize">The most connections this process's Orleans providers may hold at once; at least 1.</param>
    public static string ForOrleans(string urlOrConnectionString, int maxPoolSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoolSize, 1);
        var builder = new NpgsqlConnectionStringBuilder(FromUrlOrConnectionString(urlOrConnectionString))
        {
            SearchPath = OrleansSchema.Name,
            MaxPoolSize = maxPoolSize,
        };

        // Npgsql refuses to open a pool whose minimum exceeds its maximum; the maximum is the caller's explicit choice.
        if (builder.MinPoolSize > maxPoolSize)
        {
            builder.MinPoolSize = maxPoolSize;
        }

        return builder.ConnectionString;
    }

    internal static string FromUrlOrConnectionString(string urlOrConnectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(urlOrConnectionString);
        var text = urlOrConnectionString.Trim();
        if (TrySchemeLength(text, out var schemeLength))
        {
            return FromUrl(text[schemeLength..]).ConnectionString;
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(text).ConnectionString;
        }
        catch (ArgumentException)
        {
            // Npgsql's message quotes the offending part, which may be the password.
            throw new ArgumentException(
                "The PostgreSQL connection string is not valid: expected Key=Value pairs (Host=...;Username=...) or a postgres:// URL.",
                nameof(urlOrConnectionString));
        }
    }

    private static bool TrySchemeLength(string text, out int length)
    {
        foreach (var scheme in (ReadOnlySpan<string>)["postgres://", "postgresql://"])
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                length = scheme.Length;
                return true;
            }
        }

        length = 0;
        return false;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string rest)
    {
        var builder = new NpgsqlConnectionStringBuilder();

        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : rest[(queryStart + 1)..];
        var beforeQuery = queryStart < 0 ? rest : rest[..queryStart];
        if (beforeQuery.Contains('#', StringComparison.Ordinal) || query.Contains('#', StringComparison.Ordinal))
        {
            throw Invalid("a fragment ('#') is not allowed; percent-encode '#' in a password as %23");
        }

        var pathStart = beforeQuery.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? beforeQuery : beforeQuery[..pathStart];
        var database = pathStart < 0 ? "" : Decode(beforeQuery[(pathStart + 1)..]);

        // The last '@' ends the user info, so an unencoded '@' in a password still works.
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Decode(colon < 0 ? userInfo : userInfo[..colon]);
            if (user.Length > 0)
            {
                builder.Username = user;
            }

            if (colon >= 0)
            {
                builder.Password = Decode(userInfo[(colon + 1)..]);
            }
        }

        SetHosts(builder, authority);
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Invalid("each query parameter must be name=value");
            }

            SetParameter(builder, Decode(pair[..equals]), Decode(pair[(equals + 1)..]));
        }

        return builder;
    }

    /// <summary>
    /// One host becomes Host and Port; several (<c>h1:5432,h2:5433</c>, for failover with target_session_attrs)
    /// become Npgsql's multi-host list, where each host carries its own port.
    /// </summary>
    private static void SetHosts(NpgsqlConnectionStringBuilder builder, string authority)
    {
        if (authority.Length == 0)
        {
            return;
        }

        var hosts = authority.Split(',').Select(ParseHost).ToList();
        if (hosts.Count == 1)
        {
            builder.Host = hosts[0].Host;
            if (hosts[0].Port is { } port)
            {
                builder.Port = port;
            }

            return;
        }

        builder.Host = string.Join(',', hosts.Select(h => h.Port is { } port ? $"{h.HostForList}:{port}" : h.HostForList));
    }

    private static (string Host, string HostForList, int? Port) ParseHost(string hostAndPort)
    {
        string host;
        string hostForList;
        string? port = null;
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw Invalid("an IPv6 host must be closed with ']'");
            }

            host = hostAndPort[1..close];
            hostForList = hostAndPort[..(close + 1)];
            var after = hostAndPort[(close + 1)..];
            if (after.Length > 0)
            {
                port = after.StartsWith(':') ? after[1..] : throw Invalid("expected ':' and a port after an IPv6 host");
            }
        }
        else
        {
            var colon = hostAndPort.LastIndexOf(':');
            host = Decode(colon < 0 ? hostAndPort : hostAndPort[..colon]);
            hostForList = host;
            port = colon < 0 ? null : hostAndPort[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw Invalid("a host is empty");
        }

        if (port is null || port.Length == 0)
        {
            return (host, hostForList, null);
        }

        return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
            ? (host, hostForList, number)
            : throw Invalid("a port must be a number from 1 to 65535");
    }

    private static void SetParameter(NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        if (name.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
        {
            builder.SslMode = SslModes.TryGetValue(value, out var mode)
                ? mode
                : throw Invalid($"sslmode must be one of {string.Join(", ", SslModes.Keys)}");
            return;
        }

        // libpq names first; anything else may be an Npgsql keyword (?Maximum%20Pool%20Size=50), which the builder
        // validates, naming the parameter but never its value.
        var keyword = LibpqParameters.GetValueOrDefault(name, name);
        try
        {
            builder[keyword] = value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            throw Invalid($"the parameter '{name}' is unknown or its value is not valid");
        }
    }

    private static string Decode(string text)
    {
        // Uri.UnescapeDataString keeps a malformed escape as written; libpq refuses it, and so do we.
        for (var i = text.IndexOf('%', StringComparison.Ordinal); i >= 0; i = text.IndexOf('%', i + 1))
        {
            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                throw Invalid("it contains a malformed percent-encoding");
            }
        }

        return Uri.UnescapeDataString(text);
    }

    private static ArgumentException Invalid(string why) =>
        new($"The PostgreSQL URL is not valid: {why}.", "urlOrConnectionString");
}
