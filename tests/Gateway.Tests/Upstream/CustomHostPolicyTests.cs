using System.Net;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Tests.Upstream;

public class CustomHostPolicyTests
{
    private const string Hint = "; add it to Switchyard:Gateway:TrustedCustomHosts to allow it";

    private static readonly CustomHostPolicy Default = new(new GatewayOptions().TrustedHosts);

    [Theory]
    // schemes
    [InlineData("ftp://example.com/", "uses the scheme 'ftp'")]
    [InlineData("file:///etc/passwd", "uses the scheme 'file'")]
    [InlineData("gopher://example.com:70/", "uses the scheme 'gopher'")]
    [InlineData("javascript:alert(1)", "uses the scheme 'javascript'")]
    [InlineData("data:text/plain,hi", "uses the scheme 'data'")]
    [InlineData("ws://api.example.com/v1", "uses the scheme 'ws'")]
    [InlineData("HTTPX://api.example.com/v1", "uses the scheme 'httpx'")]
    // not absolute
    [InlineData("api.example.com/v1", "is not an absolute URL")]
    [InlineData("/v1", "is not an absolute URL")]
    [InlineData("//api.example.com/v1", "is not an absolute URL")]
    [InlineData("http:api.example.com/v1", "is not an absolute URL")]
    [InlineData("1http://api.example.com/v1", "is not an absolute URL")]
    [InlineData("localhost:8080/v1", "is not an absolute URL")]
    [InlineData("api.example.com:443/v1", "is not an absolute URL")]
    // user info, query, fragment, host, port
    [InlineData("http://user:pass@api.example.com/v1", "contains user info")]
    [InlineData("http://user@api.example.com/v1", "contains user info")]
    [InlineData("https://api.example.com@10.0.0.1/v1", "contains user info")]
    [InlineData("https://api.example.com/v1?x=1", "has a query or fragment")]
    [InlineData("https://api.example.com/v1#top", "has a query or fragment")]
    [InlineData("https://api.example.com?x=1", "has a query or fragment")]
    [InlineData("http:///v1", "has no host name")]
    [InlineData("http://:8080/v1", "has no host name")]
    [InlineData("http://api.example.com:0/v1", "has an invalid port '0'")]
    [InlineData("http://api.example.com:65536/v1", "has an invalid port '65536'")]
    [InlineData("http://api.example.com:http/v1", "has an invalid port 'http'")]
    [InlineData("http://api.example.com:/v1", "has an invalid port ''")]
    [InlineData("http://api.example.com\\@10.0.0.1/v1", "contains a backslash")]
    [InlineData(" https://api.example.com/v1", "contains whitespace or control characters")]
    [InlineData("https://api.example.com/v1\n", "contains whitespace or control characters")]
    [InlineData("https://api.exa mple.com/v1", "contains whitespace or control characters")]
    [InlineData("http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/v1", "has a non-ASCII host name")]
    [InlineData("http://%31%32%37.0.0.1/v1", "has a percent-encoded host")]
    [InlineData("http://[fe80::1%25eth0]/v1", "has a percent-encoded host or an IPv6 zone")]
    [InlineData("http://::1/v1", "has a malformed host")]
    [InlineData("http://[::1/v1", "has a malformed host")]
    [InlineData("http://[10.0.0.1]/v1", "has an invalid IPv6 address in brackets")]
    [InlineData("http://[vllm]/v1", "has an invalid IPv6 address in brackets")]
    [InlineData("http://api..example.com/v1", "has an invalid host name")]
    [InlineData("http://api.exa$mple.com/v1", "has an invalid host name")]
    // cloud metadata
    [InlineData("http://169.254.169.254/latest/meta-data", "points at a cloud metadata address")]
    [InlineData("http://169.254.170.2/v2/credentials", "points at a cloud metadata address")]
    [InlineData("http://100.100.100.200/latest/meta-data", "points at a cloud metadata address")]
    [InlineData("http://168.63.129.16/machine", "points at a cloud metadata address")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data", "points at a cloud metadata address")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1", "points at a cloud metadata service")]
    [InlineData("http://METADATA.google.internal./computeMetadata/v1", "points at a cloud metadata service")]
    [InlineData("http://metadata.goog/computeMetadata/v1", "points at a cloud metadata service")]
    [InlineData("http://metadata.azure.com/metadata/instance", "points at a cloud metadata service")]
    [InlineData("http://metadata/computeMetadata/v1", "points at a cloud metadata service")]
    [InlineData("http://instance-data/latest/meta-data", "points at a cloud metadata service")]
    // internal names
    [InlineData("http://app.localhost/v1", "names an internal host ('.localhost'")]
    [InlineData("http://printer.local/v1", "names an internal host ('.local'")]
    [InlineData("http://vllm.internal:8000/v1", "names an internal host ('.internal'")]
    [InlineData("http://host.docker.internal:11434/v1", "names an internal host ('.internal'")]
    [InlineData("http://wiki.intranet/v1", "names an internal host ('.intranet'")]
    [InlineData("http://nas.lan/v1", "names an internal host ('.lan'")]
    [InlineData("http://router.home.arpa/v1", "names an internal host ('.home.arpa'")]
    [InlineData("http://git.corp/v1", "names an internal host ('.corp'")]
    [InlineData("http://db.private/v1", "names an internal host ('.private'")]
    [InlineData("http://box.localdomain/v1", "names an internal host ('.localdomain'")]
    [InlineData("http://vllm.default.svc/v1", "names an internal host ('.svc'")]
    [InlineData("http://vllm/v1", "names a single-label host")]
    [InlineData("http://postgres:5432/", "names a single-label host")]
    // IPv4 ranges
    [InlineData("http://127.0.0.2/v1", "points at a loopback address")]
    [InlineData("http://10.0.0.5/v1", "points at a private address")]
    [InlineData("http://172.16.0.1/v1", "points at a private address")]
    [InlineData("http://172.31.255.255/v1", "points at a private address")]
    [InlineData("http://192.168.1.1/v1", "points at a private address")]
    [InlineData("http://169.254.1.1/v1", "points at a link-local address")]
    [InlineData("http://100.64.0.1/v1", "points at a shared (CGNAT) address")]
    [InlineData("http://100.127.255.254/v1", "points at a shared (CGNAT) address")]
    [InlineData("http://0.0.0.0/v1", "points at an unspecified address")]
    [InlineData("http://0.1.2.3/v1", "points at an unspecified address")]
    [InlineData("http://224.0.0.1/v1", "points at a multicast address")]
    [InlineData("http://239.255.255.250/v1", "points at a multicast address")]
    [InlineData("http://255.255.255.255/v1", "points at a broadcast address")]
    [InlineData("http://240.0.0.1/v1", "points at a reserved address")]
    [InlineData("http://192.0.0.8/v1", "points at a reserved address")]
    [InlineData("http://198.18.0.1/v1", "points at a reserved address")]
    [InlineData("http://192.0.2.1/v1", "points at a documentation address")]
    // obfuscated IPv4
    [InlineData("http://2130706433/v1", "points at a loopback address (127.0.0.1 written as '2130706433')")]
    [InlineData("http://0x7f.0.0.1/v1", "points at a loopback address (127.0.0.1 written as '0x7f.0.0.1')")]
    [InlineData("http://0X7F.0.0.1/v1", "points at a loopback address (127.0.0.1 written as '0x7f.0.0.1')")]
    [InlineData("http://0x7f000001/v1", "points at a loopback address (127.0.0.1 written as '0x7f000001')")]
    [InlineData("http://0177.0.0.1/v1", "points at a loopback address (127.0.0.1 written as '0177.0.0.1')")]
    [InlineData("http://017700000001/v1", "points at a loopback address (127.0.0.1 written as '017700000001')")]
    [InlineData("http://127.1/v1", "points at a loopback address (127.0.0.1 written as '127.1')")]
    [InlineData("http://127.0.1/v1", "points at a loopback address (127.0.0.1 written as '127.0.1')")]
    [InlineData("http://127.000.000.001/v1", "points at a loopback address (127.0.0.1 written as '127.000.000.001')")]
    [InlineData("http://0x7f.1/v1", "points at a loopback address (127.0.0.1 written as '0x7f.1')")]
    [InlineData("http://10.1/v1", "points at a private address (10.0.0.1 written as '10.1')")]
    [InlineData("http://0xa.0.0.5/v1", "points at a private address (10.0.0.5 written as '0xa.0.0.5')")]
    [InlineData("http://0xc0.0250.0x1.1/v1", "points at a private address (192.168.1.1 written as '0xc0.0250.0x1.1')")]
    [InlineData("http://3232235777/v1", "points at a private address (192.168.1.1 written as '3232235777')")]
    [InlineData("http://0xa9fea9fe/latest/meta-data", "points at a cloud metadata address (169.254.169.254 written as '0xa9fea9fe')")]
    [InlineData("http://0/v1", "points at an unspecified address (0.0.0.0 written as '0')")]
    [InlineData("http://0x08080808/v1", "writes the IPv4 address 8.8.8.8 in a non-standard form ('0x08080808'); write it as 8.8.8.8")]
    [InlineData("http://010.010.010.010/v1", "writes the IPv4 address 8.8.8.8 in a non-standard form")]
    [InlineData("http://1.2.3.4.5/v1", "has an invalid IPv4 address")]
    [InlineData("http://256.1.1.1/v1", "has an invalid IPv4 address")]
    [InlineData("http://1.2.3.08/v1", "has an invalid IPv4 address")]
    [InlineData("http://4294967296/v1", "has an invalid IPv4 address")]
    [InlineData("http://api.example.123/v1", "has an invalid IPv4 address")]
    // IPv6 ranges and IPv6 forms that embed IPv4
    [InlineData("http://[::]/v1", "points at an unspecified address")]
    [InlineData("http://[fe80::1]/v1", "points at a link-local address")]
    [InlineData("http://[fc00::1]/v1", "points at a unique-local address")]
    [InlineData("http://[fd12:3456::1]/v1", "points at a unique-local address")]
    [InlineData("http://[fec0::1]/v1", "points at a site-local address")]
    [InlineData("http://[ff02::1]/v1", "points at a multicast address")]
    [InlineData("http://[2001:db8::1]/v1", "points at a documentation address")]
    [InlineData("http://[100::1]/v1", "points at a reserved address")]
    [InlineData("http://[::ffff:10.0.0.1]/v1", "points at a private address (10.0.0.1 embedded in IPv4-mapped form)")]
    [InlineData("http://[::ffff:127.0.0.1]/v1", "points at a loopback address (127.0.0.1 embedded in IPv4-mapped form)")]
    [InlineData("http://[::ffff:7f00:1]/v1", "points at a loopback address (127.0.0.1 embedded in IPv4-mapped form)")]
    [InlineData("http://[::ffff:169.254.169.254]/v1", "points at a cloud metadata address (169.254.169.254 embedded in IPv4-mapped form)")]
    [InlineData("http://[::10.0.0.1]/v1", "points at a private address (10.0.0.1 embedded in IPv4-compatible form)")]
    [InlineData("http://[::8.8.8.8]/v1", "points at a reserved (IPv4-compatible) address")]
    [InlineData("http://[::ffff:0:10.0.0.1]/v1", "points at a private address (10.0.0.1 embedded in IPv4-translated form)")]
    [InlineData("http://[64:ff9b::10.0.0.1]/v1", "points at a private address (10.0.0.1 embedded in NAT64 form)")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/v1", "points at a cloud metadata address (169.254.169.254 embedded in NAT64 form)")]
    [InlineData("http://[64:ff9b:1::1]/v1", "points at a reserved (local NAT64) address")]
    [InlineData("http://[2002:a00:1::1]/v1", "points at a private address (10.0.0.1 embedded in 6to4 form)")]
    [InlineData("http://[2002:7f00:1::]/v1", "points at a loopback address (127.0.0.1 embedded in 6to4 form)")]
    [InlineData("http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/v1", "points at a private address (10.0.0.1 embedded in Teredo client form)")]
    [InlineData("http://[2001:0:a00:1::]/v1", "points at a private address (10.0.0.1 embedded in Teredo server form)")]
    public void Check_RefusedHost_SaysWhy(string customHost, string expected)
    {
        var message = Default.Check(customHost);

        Assert.NotNull(message);
        Assert.StartsWith("custom host ", message, StringComparison.Ordinal);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://api.example.com/v1")]
    [InlineData("https://API.Example.COM/v1")]
    [InlineData("https://api.example.com")]
    [InlineData("https://api.example.com/")]
    [InlineData("https://api.example.com:8443/openai/v1/")]
    [InlineData("HTTPS://api.example.com/v1")]
    [InlineData("https://api.groq.com/openai/v1")]
    [InlineData("https://my_vllm.example.com/v1")]
    [InlineData("https://xn--bcher-kva.example/v1")]
    [InlineData("https://api.example.com./v1")]
    [InlineData("https://8.8.8.8/v1")]
    [InlineData("https://[2606:4700:4700::1111]/v1")]
    [InlineData("http://[::ffff:8.8.8.8]/v1")]
    [InlineData("http://[64:ff9b::808:808]/v1")]
    [InlineData("http://127.0.0.1:9000/v1")]
    [InlineData("http://127.0.0.1./v1")]
    [InlineData("http://localhost:1234/v1")]
    [InlineData("http://LOCALHOST.:11434/v1")]
    [InlineData("http://[::1]:8000/v1")]
    [InlineData("http://[0:0:0:0:0:0:0:1]:8000/v1")]
    public void Check_AcceptedHost_ReturnsNull(string customHost)
    {
        Assert.Null(Default.Check(customHost));
    }

    [Theory]
    [InlineData("http://10.0.0.5:8000/v1")]
    [InlineData("http://VLLM.internal./v1")]
    [InlineData("http://gpu-box/v1")]
    [InlineData("http://[fd00:0:0::5]/v1")]
    public void Check_AllowListedPrivateHost_ReturnsNull(string customHost)
    {
        var policy = new CustomHostPolicy(["localhost", "127.0.0.1", "::1", "10.0.0.5", "vllm.internal", "gpu-box", "[fd00::5]"]);

        Assert.Null(policy.Check(customHost));
    }

    [Theory]
    [InlineData("http://10.0.0.6/v1")]
    [InlineData("http://167772165/v1")]
    [InlineData("http://10.5/v1")]
    [InlineData("http://[::ffff:10.0.0.5]/v1")]
    [InlineData("http://other.internal/v1")]
    [InlineData("http://user@10.0.0.5/v1")]
    [InlineData("ftp://10.0.0.5/")]
    public void Check_NearAllowListedHost_StillRefused(string customHost)
    {
        var policy = new CustomHostPolicy(["10.0.0.5", "vllm.internal"]);

        Assert.NotNull(policy.Check(customHost));
    }

    [Fact]
    public void Check_PrivateIPv4_ExactMessage()
    {
        Assert.Equal(
            "custom host 'http://10.0.0.5/v1' points at a private address; add it to Switchyard:Gateway:TrustedCustomHosts to allow it",
            Default.Check("http://10.0.0.5/v1"));
    }

    [Fact]
    public void Check_DecimalLoopback_ExactMessage()
    {
        Assert.Equal(
            "custom host 'http://2130706433/' points at a loopback address (127.0.0.1 written as '2130706433'); "
                + "write it as 127.0.0.1, and add that to Switchyard:Gateway:TrustedCustomHosts to allow it",
            Default.Check("http://2130706433/"));
    }

    [Fact]
    public void Check_FtpScheme_ExactMessage()
    {
        Assert.Equal(
            "custom host 'ftp://example.com/models' uses the scheme 'ftp'; only http and https are allowed",
            Default.Check("ftp://example.com/models"));
    }

    [Fact]
    public void Check_InternalName_ExactMessage()
    {
        Assert.Equal(
            "custom host 'http://vllm.internal:8000/v1' names an internal host ('.internal' is used only inside private networks)" + Hint,
            Default.Check("http://vllm.internal:8000/v1"));
    }

    [Fact]
    public void Check_UserInfo_ExactMessage()
    {
        Assert.Equal(
            "custom host 'https://key@api.example.com/v1' contains user info (the part before '@'); remove it and send credentials in headers",
            Default.Check("https://key@api.example.com/v1"));
    }

    [Fact]
    public void Check_Empty_SaysWhatToGive()
    {
        Assert.Equal("custom host is empty; give an absolute http or https URL such as https://host/v1", Default.Check(""));
    }

    [Fact]
    public void Check_VeryLongHost_EchoIsCut()
    {
        var customHost = "ftp://" + new string('a', 500) + ".example.com/";

        var message = Default.Check(customHost)!;

        Assert.Equal($"custom host '{customHost[..200]}…' uses the scheme 'ftp'; only http and https are allowed", message);
    }

    [Fact]
    public void Check_ControlCharacter_IsEscapedInMessage()
    {
        Assert.Equal(
            "custom host 'https://api.example.com/v1\\u000a' contains whitespace or control characters; remove them",
            Default.Check("https://api.example.com/v1\n"));
    }

    // .NET's Uri rewrites these to 127.0.0.1, the allow-listed default; the policy must read the raw text instead.
    [Theory]
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://127.1/")]
    public void Check_FormUriCanonicalisesToAllowListedLoopback_StillRefused(string customHost)
    {
        var uri = new Uri(customHost);
        Assert.Equal("127.0.0.1", uri.Host);

        Assert.NotNull(Default.Check(customHost));
    }

    [Theory]
    // IPv4
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.255.254", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.100.100.200", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.251", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("168.63.129.16", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("1.1.1.1", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.32.0.0", false)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.128.0.0", false)]
    [InlineData("11.0.0.1", false)]
    [InlineData("223.255.255.255", false)]
    // IPv6
    [InlineData("::", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("febf::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fdff::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("100::1", true)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("2a00:1450:4001:80b::200e", false)]
    // IPv6 forms carrying IPv4
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("64:ff9b::192.168.0.1", true)]
    [InlineData("64:ff9b::8.8.8.8", false)]
    [InlineData("2002:c0a8:1::1", true)]
    [InlineData("2002:808:808::1", false)]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", true)]
    public void IsForbiddenAddress_Address_MatchesRules(string address, bool forbidden)
    {
        Assert.Equal(forbidden, Default.IsForbiddenAddress(IPAddress.Parse(address)));
    }

    [Fact]
    public void IsForbiddenAddress_MappedAddressFromDualModeSocket_JudgedAsIPv4()
    {
        Assert.True(Default.IsForbiddenAddress(IPAddress.Parse("10.1.2.3").MapToIPv6()));
        Assert.False(Default.IsForbiddenAddress(IPAddress.Parse("93.184.216.34").MapToIPv6()));
    }

    [Fact]
    public void IsForbiddenAddress_IgnoresAllowList()
    {
        Assert.True(Default.IsForbiddenAddress(IPAddress.Loopback));
        Assert.True(Default.IsAllowListed("127.0.0.1"));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST", true)]
    [InlineData("localhost.", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("[::1]", true)]
    [InlineData("0:0:0:0:0:0:0:1", true)]
    [InlineData("127.1", false)]
    [InlineData("2130706433", false)]
    [InlineData("host.docker.internal", false)]
    [InlineData("10.0.0.5", false)]
    [InlineData("", false)]
    public void IsAllowListed_DefaultList_MatchesExactHostText(string host, bool expected)
    {
        Assert.Equal(expected, Default.IsAllowListed(host));
    }

    [Theory]
    [InlineData("http://10.0.0.5")]
    [InlineData("10.0.0.5:8000")]
    [InlineData("*.internal")]
    [InlineData("vllm.internal/v1")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("[not-ipv6]")]
    public void Constructor_MalformedAllowListEntry_ThrowsNamingTheSetting(string entry)
    {
        var error = Assert.Throws<ArgumentException>(() => new CustomHostPolicy(["localhost", entry]));

        Assert.StartsWith(
            $"Switchyard:Gateway:TrustedCustomHosts entry '{entry}' must be a host name or IP literal, without scheme, port, path or wildcard.",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Defaults_AreLoopbackOnly()
    {
        Assert.Equal(["localhost", "127.0.0.1", "::1"], new GatewayOptions().TrustedHosts);
        Assert.Equal(["10.0.0.5", "vllm.internal"], new GatewayOptions { TrustedCustomHosts = " 10.0.0.5, vllm.internal ,," }.TrustedHosts);
    }
}
