using Switchyard.Gateway.Admission;
using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Admission;

public sealed class ModelPricesTests
{
    private static readonly ModelPrices Prices = new(ModelCatalog.Default);

    private static Workspace WorkspaceWith(Dictionary<string, ModelPriceOverride> overrides) =>
        new("ws-1", "team", "Team", null, new Dictionary<string, string>(), Limits.None, false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)
        {
            PriceOverrides = overrides,
        };

    [Fact]
    public void For_KnownModel_IsTheCatalogPrice()
    {
        Assert.True(ModelCatalog.Default.TryGet("openai", "gpt-4o", out var info));

        var price = Prices.For(null, "openai", "gpt-4o");

        Assert.Equal(new TokenPrice(info.InputPerMillion!.Value, info.OutputPerMillion!.Value), price);
    }

    [Fact]
    public void For_UnknownModel_IsNull()
    {
        Assert.Null(Prices.For(null, "openai", "no-such-model"));
        Assert.Null(Prices.For(null, "openai", null));
    }

    [Fact]
    public void For_WorkspaceOverride_WinsProviderQualifiedFirst()
    {
        var workspace = WorkspaceWith(new()
        {
            ["gpt-4o"] = new(1m, 2m),
            ["azure-openai/gpt-4o"] = new(3m, 4m),
            ["my-finetune"] = new(5m, 6m),
        });

        Assert.Equal(new TokenPrice(3m, 4m), Prices.For(workspace, "azure-openai", "gpt-4o"));
        Assert.Equal(new TokenPrice(1m, 2m), Prices.For(workspace, "openai", "gpt-4o"));
        Assert.Equal(new TokenPrice(5m, 6m), Prices.For(workspace, "together-ai", "my-finetune"));
    }

    [Theory]
    [InlineData(2.5, 10, 1000, 500, 7500)] // $2.50/M in, $10/M out: 2,500 + 5,000 micro-dollars
    [InlineData(0.15, 0.6, 1, 1, 1)] // 0.75 micro-dollars rounds up
    [InlineData(0, 0, 1_000_000, 1_000_000, 0)]
    public void Micros_IsPricePerMillionTimesTokensRoundedUp(double input, double output, long inTokens, long outTokens, long expected)
    {
        Assert.Equal(expected, new TokenPrice((decimal)input, (decimal)output).Micros(inTokens, outTokens));
    }
}
