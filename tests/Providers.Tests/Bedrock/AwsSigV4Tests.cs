using Switchyard.Providers.Bedrock;

namespace Switchyard.Providers.Tests.Bedrock;

/// <summary>Against AWS's published SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30 vectors), then Bedrock's specifics.</summary>
public sealed class AwsSigV4Tests
{
    private static readonly AwsCredentials SuiteCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);

    private const string SuiteDate = "20150830T123600Z";
    private const string EmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static string Suite(string method, string url, params (string Name, string Value)[] extra)
    {
        var headers = new List<(string Name, string Value)> { ("Host", "example.amazonaws.com"), ("X-Amz-Date", SuiteDate) };
        headers.AddRange(extra);
        return AwsSigV4.Authorization(SuiteCredentials, "us-east-1", "service", method, new Uri(url), headers, EmptyHash, SuiteDate);
    }

    [Fact]
    public void Authorization_GetVanilla_MatchesTheSuite()
    {
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            Suite("GET", "https://example.amazonaws.com/"));
    }

    [Fact]
    public void CanonicalRequest_GetVanilla_MatchesTheSuite()
    {
        var canonical = AwsSigV4.CanonicalRequest(
            "GET", new Uri("https://example.amazonaws.com/"), [("Host", "example.amazonaws.com"), ("X-Amz-Date", SuiteDate)], EmptyHash, out var signed);

        Assert.Equal($"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{SuiteDate}\n\nhost;x-amz-date\n{EmptyHash}", canonical);
        Assert.Equal("host;x-amz-date", signed);
    }

    [Fact]
    public void Authorization_GetVanillaQueryOrderKeyCase_SortsTheQuery()
    {
        Assert.EndsWith(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
            Suite("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"));
    }

    [Fact]
    public void Authorization_PostVanilla_MatchesTheSuite()
    {
        Assert.EndsWith("Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", Suite("POST", "https://example.amazonaws.com/"));
    }

    [Fact]
    public void Authorization_PostHeaderValueCase_SignsTheExtraHeader()
    {
        Assert.EndsWith(
            "SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
            Suite("POST", "https://example.amazonaws.com/", ("My-Header1", "VALUE1")));
    }

    [Fact]
    public void Authorization_PostXWwwFormUrlencoded_HashesTheBody()
    {
        var headers = new List<(string Name, string Value)>
        {
            ("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com"), ("X-Amz-Date", SuiteDate),
        };
        var bodyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("Param1=value1"u8));

        var authorization = AwsSigV4.Authorization(SuiteCredentials, "us-east-1", "service", "POST", new Uri("https://example.amazonaws.com/"), headers, bodyHash, SuiteDate);

        Assert.EndsWith(
            "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            authorization);
    }

    [Fact]
    public void CanonicalUri_BedrockModelIdWithColon_IsEncodedOnceMore()
    {
        var uri = new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/" + Uri.EscapeDataString("anthropic.claude-3-5-sonnet-20240620-v1:0") + "/converse");

        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", uri.AbsolutePath);
        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse", AwsSigV4.CanonicalUri(uri.AbsolutePath));
    }

    [Fact]
    public void Sign_BedrockRequest_AddsDateHashTokenAndAuthorization()
    {
        var credentials = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token");
        var uri = new Uri("http://127.0.0.1:9000/v1/model/m%3A0/converse");
        var body = """{"messages":[]}"""u8.ToArray();

        var headers = AwsSigV4.Sign(credentials, "eu-west-1", "bedrock", HttpMethod.Post, uri, body, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

        var bodyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        Assert.Equal(["X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token", "Authorization"], headers.Select(h => h.Key));
        Assert.Equal("20260102T030405Z", headers[0].Value);
        Assert.Equal(bodyHash, headers[1].Value);
        Assert.Equal("session-token", headers[2].Value);
        var expected = AwsSigV4.Authorization(
            credentials,
            "eu-west-1",
            "bedrock",
            "POST",
            uri,
            [("host", "127.0.0.1:9000"), ("x-amz-content-sha256", bodyHash), ("x-amz-date", "20260102T030405Z"), ("x-amz-security-token", "session-token")],
            bodyHash,
            "20260102T030405Z");
        Assert.Equal(expected, headers[3].Value);
        Assert.StartsWith(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/bedrock/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=",
            headers[3].Value);
    }

    [Fact]
    public void HostHeader_DefaultAndOtherPorts_MatchWhatHttpClientSends()
    {
        Assert.Equal("bedrock-runtime.us-east-1.amazonaws.com", AwsSigV4.HostHeader(new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/x/converse")));
        Assert.Equal("127.0.0.1:9000", AwsSigV4.HostHeader(new Uri("http://127.0.0.1:9000/v1")));
    }
}
