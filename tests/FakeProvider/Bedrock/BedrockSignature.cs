using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>
/// Checks a Bedrock request's credentials the way AWS does, so a test proves the gateway signs
/// correctly: an <c>Authorization: Bearer</c> Bedrock API key, or a SigV4 signature whose shape is
/// checked always and whose value is recomputed for the fixed test key pair
/// (<see cref="TestAccessKeyId"/>, <see cref="TestSecretAccessKey"/>, AWS's documentation example).
/// This is a separate implementation from the gateway's signer on purpose: the two must agree.
/// </summary>
internal static class BedrockSignature
{
    public const string TestAccessKeyId = "AKIDEXAMPLE";
    public const string TestSecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// <summary>The bearer token that gets 403, as <c>sk-fake-invalid</c> does on the OpenAI routes.</summary>
    public const string InvalidApiKey = "sk-fake-invalid";

    private const string Algorithm = "AWS4-HMAC-SHA256";

    public sealed record Rejection(int Status, string Exception, string Message);

    /// <summary>Null when the request may go on; otherwise what AWS would answer.</summary>
    public static Rejection? Check(HttpContext context, string body)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
        {
            return new(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            return token.Length == 0 || token == InvalidApiKey
                ? new(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
                : null;
        }

        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return Incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var parts = authorization[(Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders)
            || !parts.TryGetValue("Signature", out var signature))
        {
            return Incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[3] != "bedrock" || scope[4] != "aws4_request")
        {
            return Invalid("Credential should be scoped to a valid region and to the service 'bedrock', ending in 'aws4_request'.");
        }

        var amzDate = request.Headers["x-amz-date"].ToString();
        if (amzDate.Length != 16 || !amzDate.StartsWith(scope[1], StringComparison.Ordinal))
        {
            return Invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || !names.Contains("x-amz-date"))
        {
            return Invalid("SignedHeaders must include host and x-amz-date.");
        }

        var bodyHash = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var declaredHash = request.Headers["x-amz-content-sha256"].ToString();
        if (declaredHash.Length > 0 && declaredHash != bodyHash)
        {
            return new(400, "ValidationException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        if (scope[0] != TestAccessKeyId)
        {
            // Only the test key pair has a known secret; any other key id passes on its shape alone.
            return null;
        }

        var canonical = CanonicalRequest(context, names, bodyHash);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + TestSecretAccessKey), scope[1]);
        key = Hmac(key, scope[2]);
        key = Hmac(key, scope[3]);
        key = Hmac(key, scope[4]);
        var expected = Hex(Hmac(key, stringToSign));
        return expected == signature
            ? null
            : new(403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                + $"The Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{stringToSign}'\n");
    }

    /// <summary>From the request line as it arrived, with every path segment encoded once more (AWS's rule for all services but S3).</summary>
    private static string CanonicalRequest(HttpContext context, string[] signedHeaders, string bodyHash)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? "" : rawTarget[(question + 1)..];

        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(string.Join('/', path.Split('/').Select(Encode))).Append('\n');
        builder.Append(string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Encode(Uri.UnescapeDataString(pair[0])), Value: pair.Length > 1 ? Encode(Uri.UnescapeDataString(pair[1])) : ""))
            .OrderBy(pair => pair.Name, StringComparer.Ordinal)
            .ThenBy(pair => pair.Value, StringComparer.Ordinal)
            .Select(pair => $"{pair.Name}={pair.Value}"))).Append('\n');
        foreach (var name in signedHeaders)
        {
            var value = name == "host" ? request.Host.Value : request.Headers[name].ToString();
            builder.Append(name).Append(':').Append(string.Join(' ', (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(request.Headers["x-amz-content-sha256"].ToString() is { Length: > 0 } declared ? declared : bodyHash);
        return builder.ToString();
    }

    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' ? c : $"%{b:X2}");
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    private static Rejection Incomplete(string message) => new(403, "IncompleteSignatureException", message);

    private static Rejection Invalid(string message) => new(403, "InvalidSignatureException", message);
}
