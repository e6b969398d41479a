using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class CanonicalJsonTests
{
    private static string Canonical(string json, params string[] skip) =>
        Encoding.UTF8.GetString(CanonicalJson.Write(Encoding.UTF8.GetBytes(json), skip.Length == 0 ? null : skip.ToHashSet()));

    [Fact]
    public void Write_PropertiesInAnyOrderAndAnySpacing_AreOneSpelling()
    {
        Assert.Equal("""{"a":1,"b":{"c":[1,2],"d":"x"}}""", Canonical("""{ "b" : { "d":"x", "c":[ 1, 2 ] },"a":1 }"""));
        Assert.Equal(Canonical("""{"model":"m","temperature":0.5}"""), Canonical("""{"temperature":0.5,"model":"m"}"""));
    }

    [Fact]
    public void Write_ArrayOrder_IsKept()
    {
        Assert.NotEqual(Canonical("""{"stop":["a","b"]}"""), Canonical("""{"stop":["b","a"]}"""));
    }

    [Theory]
    [InlineData("1", "1")]
    [InlineData("1.0", "1")]
    [InlineData("1e0", "1")]
    [InlineData("10E-1", "1")]
    [InlineData("0.50", "0.5")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("123456789012345678901234567", "123456789012345678901234567")]
    [InlineData("1e40", "1e+40")]
    [InlineData("1E-40", "1e-40")]
    public void Number_Spellings_AreTheValue(string raw, string canonical)
    {
        Assert.Equal(canonical, CanonicalJson.Number(raw));
    }

    [Fact]
    public void Write_DifferentNumbers_StayDifferent()
    {
        Assert.NotEqual(Canonical("""{"seed":12345678901234567890}"""), Canonical("""{"seed":12345678901234567891}"""));
        Assert.NotEqual(Canonical("""{"temperature":0.7}"""), Canonical("""{"temperature":0.70001}"""));
    }

    [Fact]
    public void Write_StringEscapes_AreOneSpelling()
    {
        Assert.Equal(Canonical("""{"content":"A/é"}"""), Canonical("""{"content":"\u0041\/\u00e9"}"""));
    }

    [Fact]
    public void Write_DuplicateProperty_KeepsTheLast()
    {
        Assert.Equal("""{"a":2}""", Canonical("""{"a":1,"a":2}"""));
    }

    [Fact]
    public void Write_SkippedFields_AreLeftOutAtTheTopOnly()
    {
        Assert.Equal("""{"inner":{"stream":true},"model":"m"}""", Canonical("""{"stream":true,"model":"m","inner":{"stream":true}}""", "stream"));
    }

    [Fact]
    public void Write_NotJson_Throws()
    {
        Assert.ThrowsAny<JsonException>(() => Canonical("{\"a\":"));
    }
}
