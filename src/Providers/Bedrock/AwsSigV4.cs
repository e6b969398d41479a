using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Providers.Bedrock;

/// <summary>An AWS key pair, with the session token that temporary (STS) credentials carry.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken);

/// <summary>
/// AWS Signature Version 4 for requests signed in the <c>Authorization</c> header, as AWS documents it
/// ("Create a signed AWS API request") and as its published test suite checks it.
/// </summary>
internal static class AwsSigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>
    /// The headers that sign a request: <c>X-Amz-Date</c>, <c>X-Amz-Content-Sha256</c>, <c>X-Amz-Security-Token</c>
    /// (temporary credentials only) and <c>Authorization</c>. <c>Host</c> is signed but not returned: the HTTP client
    /// writes it from <paramref name="uri"/>, exactly as it is signed here.
    /// </summary>
    public static List<KeyValuePair<string, string>> Sign(
        AwsCredentials credentials, string region, string service, HttpMethod method, Uri uri, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var signed = new List<(string Name, string Value)>(4)
        {
            ("host", HostHeader(uri)),
            ("x-amz-content-sha256", payloadHash),
            ("x-amz-date", amzDate),
        };
        if (credentials.SessionToken is { Length: > 0 } token)
        {
            signed.Add(("x-amz-security-token", token));
        }

        var headers = new List<KeyValuePair<string, string>>(4)
        {
            new("X-Amz-Date", amzDate),
            new("X-Amz-Content-Sha256", payloadHash),
        };
        if (credentials.SessionToken is { Length: > 0 } sessionToken)
        {
            headers.Add(new("X-Amz-Security-Token", sessionToken));
        }

        headers.Add(new("Authorization", Authorization(credentials, region, service, method.Method, uri, signed, payloadHash, amzDate)));
        return headers;
    }

    /// <summary>The <c>Authorization</c> value for a request whose signed headers (names in any case) are <paramref name="headers"/>.</summary>
    public static string Authorization(
        AwsCredentials credentials,
        string region,
        string service,
        string method,
        Uri uri,
        IReadOnlyList<(string Name, string Value)> headers,
        string payloadHash,
        string amzDate)
    {
        var canonicalRequest = CanonicalRequest(method, uri, headers, payloadHash, out var signedHeaders);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>
    /// Method, canonical URI, canonical query, canonical headers, signed header names and payload hash, one per line.
    /// </summary>
    /// <remarks>
    /// The canonical URI encodes each segment of the path <em>as sent</em> once more: AWS requires this of every
    /// service but S3, so a Bedrock model id <c>m:0</c>, sent as <c>m%3A0</c>, is signed as <c>m%253A0</c>.
    /// </remarks>
    public static string CanonicalRequest(string method, Uri uri, IReadOnlyList<(string Name, string Value)> headers, string payloadHash, out string signedHeaders)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n');
        builder.Append(CanonicalUri(uri.AbsolutePath)).Append('\n');
        builder.Append(CanonicalQuery(uri.Query)).Append('\n');

        var sorted = headers
            .Select(header => (Name: header.Name.ToLowerInvariant(), Value: TrimValue(header.Value)))
            .OrderBy(header => header.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var (name, value) in sorted)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        signedHeaders = string.Join(';', sorted.Select(header => header.Name));
        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>Host, with the port when it is not the scheme's default: what the HTTP client sends.</summary>
    public static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";

    internal static string CanonicalUri(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        return string.Join('/', path.Split('/').Select(Encode));
    }

    private static string CanonicalQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        var pairs = query[1..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? "" : pair[(equals + 1)..];
                return (Name: Encode(Uri.UnescapeDataString(name)), Value: Encode(Uri.UnescapeDataString(value)));
            })
            .OrderBy(pair => pair.Name, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(pair => $"{pair.Name}={pair.Value}"));
    }

    /// <summary>Leading and trailing spaces dropped, inner runs of spaces collapsed to one.</summary>
    private static string TrimValue(string value) =>
        string.Join(' ', value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>RFC 3986 percent-encoding: everything but <c>A-Z a-z 0-9 - _ . ~</c>, as UTF-8, in upper-case hex.</summary>
    internal static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
