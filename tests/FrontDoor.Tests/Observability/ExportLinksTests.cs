using System.Web;
using Switchyard.FrontDoor.Observability;
using Switchyard.Gateway.Security;

namespace Switchyard.FrontDoor.Tests.Observability;

public sealed class ExportLinksTests
{
    private static readonly SecretVault Vault = new(Convert.FromBase64String(Infrastructure.GatewayFixture.MasterKey));

    [Fact]
    public void Verify_ALinkItMade_IsAccepted()
    {
        var clock = new ShiftedClock();
        var (expires, signature) = Parts(new ExportLinks(Vault, clock).PathFor("exp_1"));

        Assert.True(new ExportLinks(Vault, clock).Verify("exp_1", expires, signature));
    }

    [Fact]
    public void Verify_AnotherExportOrExpiryOrKey_IsRefused()
    {
        var clock = new ShiftedClock();
        var links = new ExportLinks(Vault, clock);
        var (expires, signature) = Parts(links.PathFor("exp_1"));

        Assert.False(links.Verify("exp_2", expires, signature));
        Assert.False(links.Verify("exp_1", (long.Parse(expires, System.Globalization.CultureInfo.InvariantCulture) + 60).ToString(System.Globalization.CultureInfo.InvariantCulture), signature));
        Assert.False(links.Verify("exp_1", expires, new string('0', 64)));
        Assert.False(links.Verify("exp_1", expires, null));
        Assert.False(new ExportLinks(new SecretVault(new byte[32]), clock).Verify("exp_1", expires, signature));
    }

    [Fact]
    public void Verify_AfterTheLifetime_IsRefused()
    {
        var clock = new ShiftedClock();
        var links = new ExportLinks(Vault, clock);
        var (expires, signature) = Parts(links.PathFor("exp_1"));

        clock.Advance(ExportLinks.Lifetime + TimeSpan.FromSeconds(1));

        Assert.False(links.Verify("exp_1", expires, signature));
    }

    private static (string Expires, string Signature) Parts(string path)
    {
        var query = HttpUtility.ParseQueryString(new Uri("http://x" + path).Query);
        return (query["expires"]!, query["signature"]!);
    }
}
