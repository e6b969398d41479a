using Switchyard.Providers.Catalog;
using Switchyard.State;

namespace Switchyard.Gateway.Admission;

/// <summary>A price in USD per million tokens. Micro-dollars for N tokens are simply price × N.</summary>
internal readonly record struct TokenPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    /// <summary>The cost in micro-dollars, rounded up so a reservation or a charge is never short by a fraction.</summary>
    public long Micros(long inputTokens, long outputTokens) =>
        (long)Math.Min(long.MaxValue, Math.Ceiling((InputPerMillion * inputTokens) + (OutputPerMillion * outputTokens)));
}

/// <summary>
/// What a model costs a workspace: its own override (<c>provider/model</c>, then <c>model</c>), else the model catalog's
/// list price. Null when neither knows the model.
/// </summary>
internal sealed class ModelPrices(ModelCatalog catalog)
{
    public TokenPrice? For(Workspace? workspace, string provider, string? model)
    {
        if (model is null)
        {
            return null;
        }

        if (workspace is { PriceOverrides.Count: > 0 } w
            && (w.PriceOverrides.TryGetValue($"{provider}/{model}", out var own) || w.PriceOverrides.TryGetValue(model, out own)))
        {
            return new TokenPrice(own.InputPerMillion, own.OutputPerMillion);
        }

        return catalog.TryGet(provider, model, out var info) && info.InputPerMillion is { } input
            ? new TokenPrice(input, info.OutputPerMillion ?? 0m)
            : null;
    }

    /// <summary>The most tokens one answer of the model may have, from the catalog; null when unknown.</summary>
    public int? MaxOutputTokens(string provider, string? model) =>
        model is not null && catalog.TryGet(provider, model, out var info) ? info.MaxOutputTokens : null;
}
