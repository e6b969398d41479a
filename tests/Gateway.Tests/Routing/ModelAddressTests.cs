using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class ModelAddressTests
{
    [Theory]
    [InlineData("@openai-prod/gpt-4o", "openai-prod", "gpt-4o")]
    [InlineData("@vk/accounts/fireworks/models/llama", "vk", "accounts/fireworks/models/llama")]
    public void TryParse_SlugAndModel_Splits(string model, string slug, string bare)
    {
        Assert.True(ModelAddress.TryParse(model, out var address));
        Assert.Equal(new ModelAddress(slug, bare), address);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gpt-4o")]
    [InlineData("@")]
    [InlineData("@/gpt-4o")]
    [InlineData("@slug/")]
    [InlineData("@slug")]
    [InlineData("openai/@x")]
    public void TryParse_NotAnAddress_IsFalse(string? model) => Assert.False(ModelAddress.TryParse(model, out _));
}

public sealed class ModelAddressConfigTests
{
    [Fact]
    public void Parse_TargetsUnderAnAddressedModel_NeedNoProvider()
    {
        var root = TestConfigs.Root("""
            {"override_params": {"model": "@oa/gpt-4o"},
             "strategy": {"mode": "fallback"}, "targets": [{"retry": {"attempts": 1}}, {"virtual_key": "other"}]}
            """);

        Assert.Equal(2, root.Targets.Count);
        Assert.Equal("other", root.Targets[1].VirtualKey);
    }

    [Fact]
    public void Parse_LeafWithNeitherProviderNorAddress_IsAnError() =>
        Assert.StartsWith("config.targets[0]: names no provider", TestConfigs.SingleError("""
            {"strategy": {"mode": "fallback"}, "targets": [{"override_params": {"model": "gpt-4o"}}, {"virtual_key": "vk"}]}
            """), StringComparison.Ordinal);
}
