using System.Collections.Frozen;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Routing;

/// <summary>
/// Which names are provider options (extras a provider's adapter reads, such as <c>azure_resource_name</c>), in the
/// snake_case a config uses; a header <c>x-portkey-azure-resource-name</c> names the same option.
/// </summary>
internal static class ProviderOptionNames
{
    // Families from Portkey's request schema; they grow with each provider release, so a whole prefix is accepted.
    private static readonly string[] Families = ["openai_", "anthropic_", "azure_", "aws_", "vertex_", "cohere_", "amzn_sagemaker_", "oracle_"];

    private static readonly FrozenSet<string> Names = new[]
    {
        "snowflake_account", "fireworks_account_id", "huggingface_base_url", "mistral_fim_completion", "workers_ai_account_id",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <param name="name">A snake_case name, lower case.</param>
    public static bool Contains(string name)
    {
        if (Names.Contains(name))
        {
            return true;
        }

        foreach (var family in Families)
        {
            if (name.StartsWith(family, StringComparison.Ordinal) && name.Length > family.Length)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The option a request header names (<c>x-portkey-azure-resource-name</c>, or Anthropic's unprefixed <c>anthropic-beta</c>); null when it names none.</summary>
    public static string? FromHeader(string header)
    {
        // Anthropic's SDK sends its version and beta headers unprefixed; Portkey accepts both spellings.
        var option = header.StartsWith(GatewayHeaders.PortkeyPrefix, StringComparison.OrdinalIgnoreCase) ? header.AsSpan(GatewayHeaders.PortkeyPrefix.Length)
            : header.StartsWith("anthropic-", StringComparison.OrdinalIgnoreCase) ? header.AsSpan()
            : [];

        // Every request carries several x-portkey-* headers that are not options: decide on the span, allocate for a match only.
        return !option.IsEmpty && IsOption(option) ? option.ToString().ToLowerInvariant().Replace('-', '_') : null;
    }

    /// <summary><see cref="Contains"/> for a header's spelling: dashes for underscores, any case.</summary>
    private static bool IsOption(ReadOnlySpan<char> dashed)
    {
        foreach (var name in Names)
        {
            if (SameName(dashed, name))
            {
                return true;
            }
        }

        foreach (var family in Families)
        {
            if (dashed.Length > family.Length && SameName(dashed[..family.Length], family))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameName(ReadOnlySpan<char> dashed, string snake)
    {
        if (dashed.Length != snake.Length)
        {
            return false;
        }

        for (var i = 0; i < snake.Length; i++)
        {
            var c = char.ToLowerInvariant(dashed[i]);
            if (c != snake[i] && !(c == '-' && snake[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
