using Switchyard.FrontDoor.Observability;

namespace Switchyard.FrontDoor.Tests.Observability;

public sealed class LogFiltersTests
{
    private static LogFilters Of(params (string Name, string Value)[] values) =>
        LogFilters.FromDictionary(values.ToDictionary(v => v.Name, v => v.Value));

    [Fact]
    public void ToSearch_PortkeyNames_MapToTheSearch()
    {
        var filters = Of(
            ("time_of_generation_min", "2026-03-01T10:00:00+02:00"),
            ("time_of_generation_max", "2026-03-01T12:00:00Z"),
            ("status_code", "200,429"),
            ("ai_org_model", "openai__gpt-4o,anthropic__claude-3"),
            ("virtual_keys", "vk-a, vk-b"),
            ("configs", "pc-x"),
            ("api_key_ids", "key_1"),
            ("metadata", """{"team":"search","env":"prod"}"""),
            ("cache_status", "hit,semantic_hit"),
            ("cost_min", "1.5"),
            ("cost_max", "20"),
            ("total_units_min", "10"),
            ("prompt_token_max", "500"),
            ("q", "hello"),
            ("page_size", "25"),
            ("cursor", "0190aabbccddeeff0011223344556677"));

        var search = filters.ToSearch(paged: true);

        Assert.Empty(filters.Errors);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), search.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), search.To);
        Assert.Equal([200, 429], search.Statuses);
        Assert.Equal(["openai", "anthropic"], search.Providers);
        Assert.Equal(["gpt-4o", "claude-3"], search.Models);
        Assert.Equal(["vk-a", "vk-b"], search.VirtualKeys);
        Assert.Equal(["pc-x"], search.ConfigIds);
        Assert.Equal(["key_1"], search.ApiKeyIds);
        Assert.Equal("search", search.Metadata!["team"]);
        Assert.Equal("prod", search.Metadata["env"]);
        Assert.Equal(["HIT", "SEMANTIC HIT"], search.CacheStatuses);
        Assert.Equal(15_000, search.MinCostMicros);
        Assert.Equal(200_000, search.MaxCostMicros);
        Assert.Equal(10, search.MinTokens);
        Assert.Equal(500, search.MaxInputTokens);
        Assert.Equal("hello", search.Text);
        Assert.Equal(25, search.Limit);
        Assert.Equal("0190aabbccddeeff0011223344556677", search.Before);
        Assert.True(filters.NeedsRecords);
    }

    [Fact]
    public void ToSearch_ShortNamesAndKeyValueMetadata_AreAccepted()
    {
        var filters = Of(("from", "2026-03-01T00:00:00Z"), ("model", "m1"), ("provider", "openai"), ("status", "error"), ("metadata", "team=a,env=b"));

        var search = filters.ToSearch(paged: true);

        Assert.Empty(filters.Errors);
        Assert.Equal(["m1"], search.Models);
        Assert.Equal(["openai"], search.Providers);
        Assert.True(search.Errors);
        Assert.Null(search.Statuses);
        Assert.Equal(2, search.Metadata!.Count);
        Assert.Equal("b", search.Metadata["env"]);
        Assert.Equal(LogFilters.DefaultPageSize, search.Limit);
    }

    [Fact]
    public void ToSearch_OnlyRollupDimensions_DoesNotNeedRecords()
    {
        var filters = Of(("ai_model", "m1"), ("status_code", "500"), ("virtual_keys", "vk"), ("cache_status", "MISS"));

        filters.ToSearch(paged: false);

        Assert.False(filters.NeedsRecords);
    }

    [Fact]
    public void ToSearch_BadValues_ListsEveryProblem()
    {
        var filters = Of(
            ("time_of_generation_min", "yesterday"),
            ("status_code", "abc"),
            ("cost_min", "cheap"),
            ("page_size", "0"),
            ("cursor", "nope"),
            ("metadata", "{not json"),
            ("ai_org_model", "gpt-4o"));

        filters.ToSearch(paged: true);

        Assert.Equal(
            [
                "time_of_generation_min: must be an ISO 8601 date-time",
                "status_code: 'abc' must be an HTTP status, success or error",
                "ai_org_model: 'gpt-4o' must be provider__model",
                "metadata: must be a JSON object of strings or key=value pairs",
                "cost_min: must be a number",
                "page_size: must be between 1 and 500",
                "cursor: must be the next_cursor of a previous page",
            ],
            filters.Errors);
    }

    [Fact]
    public void ToSearch_EmptyRange_IsRefused()
    {
        var filters = Of(("time_of_generation_min", "2026-03-01T12:00:00Z"), ("time_of_generation_max", "2026-03-01T12:00:00Z"));

        filters.ToSearch(paged: false);

        Assert.Equal(["time_of_generation_max: must be later than time_of_generation_min"], filters.Errors);
    }

    [Fact]
    public void FromJson_ArraysAndObjects_ReadLikeTheQuery()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"ai_model":["a","b"],"metadata":{"team":"x"},"status_code":[500,502],"page_size":10,"workspace_id":null}""");
        var filters = LogFilters.FromJson(document.RootElement);

        var search = filters.ToSearch(paged: false);

        Assert.Empty(filters.Errors);
        Assert.Equal(["a", "b"], search.Models);
        Assert.Equal("x", search.Metadata!["team"]);
        Assert.Equal([500, 502], search.Statuses);
    }
}
