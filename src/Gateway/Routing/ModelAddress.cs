namespace Switchyard.Gateway.Routing;

/// <summary>
/// Portkey's model-catalog form <c>"model": "@&lt;slug&gt;/&lt;model&gt;"</c>: the slug names a virtual key (provider and
/// credential), the rest is the model the provider is sent. <c>@openai-prod/gpt-4o</c> → <c>openai-prod</c>, <c>gpt-4o</c>.
/// </summary>
internal readonly record struct ModelAddress(string Slug, string Model)
{
    public static bool TryParse(string? model, out ModelAddress address)
    {
        address = default;
        if (model is not { Length: > 2 } || model[0] != '@')
        {
            return false;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 1 || slash == model.Length - 1)
        {
            return false;
        }

        address = new ModelAddress(model[1..slash], model[(slash + 1)..]);
        return true;
    }
}
