namespace Switchyard.State.Tests.Contracts;

/// <summary>
/// Field-by-field equality for the state records. Record equality is not enough: lists and dictionaries compare by
/// reference, and <see cref="DateTimeOffset"/> equality ignores the offset while the contract says reads come back at UTC.
/// </summary>
public static class StoreAssert
{
    public static void Same(Workspace expected, Workspace? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Slug, actual.Slug);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Same(expected.DefaultMetadata, actual.DefaultMetadata);
        Same(expected.Limits, actual.Limits);
        Assert.Equal(expected.Archived, actual.Archived);
        Assert.Equal(
            expected.PriceOverrides.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            actual.PriceOverrides.OrderBy(p => p.Key, StringComparer.Ordinal).ToList());
        Assert.Equal(expected.Logging, actual.Logging);
        SameInstant(expected.CreatedAt, actual.CreatedAt);
        SameInstant(expected.UpdatedAt, actual.UpdatedAt);
    }

    public static void Same(ApiKey expected, ApiKey? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.WorkspaceId, actual.WorkspaceId);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.KeyHash, actual.KeyHash);
        Assert.Equal(expected.Hint, actual.Hint);
        Assert.Equal(expected.Scopes, actual.Scopes);
        SameOptional(expected.AllowedModels, actual.AllowedModels);
        SameOptional(expected.AllowedProviders, actual.AllowedProviders);
        Assert.Equal(expected.DefaultConfigSlug, actual.DefaultConfigSlug);
        Same(expected.DefaultMetadata, actual.DefaultMetadata);
        Same(expected.Limits, actual.Limits);
        SameInstant(expected.ExpiresAt, actual.ExpiresAt);
        SameInstant(expected.RevokedAt, actual.RevokedAt);
        Assert.Equal(expected.Type, actual.Type);
        SameInstant(expected.CreatedAt, actual.CreatedAt);
        SameInstant(expected.UpdatedAt, actual.UpdatedAt);
    }

    public static void Same(VirtualKey expected, VirtualKey? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.WorkspaceId, actual.WorkspaceId);
        Assert.Equal(expected.Slug, actual.Slug);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Provider, actual.Provider);
        Assert.Equal(expected.Secret.KeyId, actual.Secret.KeyId);
        Assert.Equal(expected.Secret.Nonce, actual.Secret.Nonce);
        Assert.Equal(expected.Secret.Ciphertext, actual.Secret.Ciphertext);
        Assert.Equal(expected.Secret.Tag, actual.Secret.Tag);
        Assert.Equal(expected.Hint, actual.Hint);
        Same(expected.ProviderOptions, actual.ProviderOptions);
        Assert.Equal(expected.Note, actual.Note);
        Same(expected.Limits, actual.Limits);
        SameInstant(expected.ExpiresAt, actual.ExpiresAt);
        SameInstant(expected.CreatedAt, actual.CreatedAt);
        SameInstant(expected.UpdatedAt, actual.UpdatedAt);
    }

    /// <summary>Everything but the version, which the store assigns.</summary>
    public static void Same(SavedConfig expected, int expectedVersion, SavedConfig? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.WorkspaceId, actual.WorkspaceId);
        Assert.Equal(expected.Slug, actual.Slug);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.ConfigJson, actual.ConfigJson);
        Assert.Equal(expectedVersion, actual.Version);
        Assert.Equal(expected.IsDefault, actual.IsDefault);
        SameInstant(expected.CreatedAt, actual.CreatedAt);
        SameInstant(expected.UpdatedAt, actual.UpdatedAt);
    }

    public static void Same(Limits expected, Limits actual)
    {
        if (expected.Usage is null)
        {
            Assert.Null(actual.Usage);
        }
        else
        {
            Assert.NotNull(actual.Usage);
            Assert.Equal(expected.Usage.CostLimitUsd, actual.Usage.CostLimitUsd);
            Assert.Equal(expected.Usage.TokenLimit, actual.Usage.TokenLimit);
            Assert.Equal(expected.Usage.Period, actual.Usage.Period);
            Assert.Equal(expected.Usage.TimeZone, actual.Usage.TimeZone);
            Assert.Equal(expected.Usage.AlertThresholds, actual.Usage.AlertThresholds);
            Assert.Equal(expected.Usage.Hard, actual.Usage.Hard);
            Assert.Equal(expected.Usage.AlertWebhookUrl, actual.Usage.AlertWebhookUrl);
        }

        Assert.Equal(expected.Rates, actual.Rates);
        Assert.Equal(expected.MaxConcurrentRequests, actual.MaxConcurrentRequests);
    }

    /// <summary>Same instant, and read back at UTC (offset zero) whatever offset was written.</summary>
    public static void SameInstant(DateTimeOffset? expected, DateTimeOffset? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e && actual is { } a)
        {
            Assert.Equal(e.UtcTicks, a.UtcTicks);
            Assert.Equal(TimeSpan.Zero, a.Offset);
        }
    }

    /// <summary>Null and empty mean different things here (null: anything allowed; empty: nothing), so both must survive.</summary>
    private static void SameOptional(IReadOnlyList<string>? expected, IReadOnlyList<string>? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.NotNull(actual);
            Assert.Equal(expected, actual);
        }
    }

    private static void Same(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual) =>
        Assert.Equal(
            expected.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            actual.OrderBy(p => p.Key, StringComparer.Ordinal).ToList());
}
