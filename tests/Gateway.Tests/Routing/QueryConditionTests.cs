using System.Text.Json;
using Switchyard.Gateway.Routing;

namespace Switchyard.Gateway.Tests.Routing;

public sealed class QueryConditionTests
{
    private const string Metadata = """
        {"tier": "pro", "n": 5, "s": "5", "flag": true, "nil": null,
         "nested": {"a": {"b": "deep"}}, "tags": ["x", "y"]}
        """;

    private const string Body = """
        {"model": "gpt-4o", "temperature": 0.7, "max_tokens": "256",
         "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
         "a": {"b": {"c": {"d": 42}}}}
        """;

    private static RoutingFacts Facts() => new(
        JsonDocument.Parse(Metadata).RootElement,
        () => JsonDocument.Parse(Body).RootElement,
        "/v1/chat/completions");

    [Theory]
    // Plain values mean equality.
    [InlineData("""{"metadata.tier": "pro"}""", true)]
    [InlineData("""{"metadata.tier": "free"}""", false)]
    [InlineData("""{"metadata.n": 5}""", true)]
    [InlineData("""{"metadata.tags": ["x", "y"]}""", true)]
    [InlineData("""{"metadata.nil": null}""", true)]
    [InlineData("""{"metadata.none": null}""", false)]
    // $eq / $ne: JSON-value equality, no coercion, numbers by value, deep objects and arrays.
    [InlineData("""{"metadata.tier": {"$eq": "pro"}}""", true)]
    [InlineData("""{"metadata.tier": {"$eq": "Pro"}}""", false)]
    [InlineData("""{"metadata.n": {"$eq": 5}}""", true)]
    [InlineData("""{"metadata.n": {"$eq": 5.0}}""", true)]
    [InlineData("""{"metadata.n": {"$eq": "5"}}""", false)]
    [InlineData("""{"metadata.s": {"$eq": 5}}""", false)]
    [InlineData("""{"metadata.flag": {"$eq": true}}""", true)]
    [InlineData("""{"metadata.flag": {"$eq": "true"}}""", false)]
    [InlineData("""{"metadata.nil": {"$eq": null}}""", true)]
    [InlineData("""{"metadata.tags": {"$eq": ["y", "x"]}}""", false)]
    [InlineData("""{"metadata.nested": {"$eq": {"a": {"b": "deep"}}}}""", true)]
    [InlineData("""{"metadata.nested": {"$eq": {"a": {"b": "shallow"}}}}""", false)]
    [InlineData("""{"metadata.tier": {"$ne": "free"}}""", true)]
    [InlineData("""{"metadata.tier": {"$ne": "pro"}}""", false)]
    [InlineData("""{"metadata.n": {"$ne": "5"}}""", true)]
    [InlineData("""{"metadata.none": {"$eq": "x"}}""", false)]
    [InlineData("""{"metadata.none": {"$ne": "x"}}""", true)]
    // Numeric comparisons: numbers or numeric strings, both sides.
    [InlineData("""{"metadata.n": {"$gt": 4}}""", true)]
    [InlineData("""{"metadata.n": {"$gt": 5}}""", false)]
    [InlineData("""{"metadata.n": {"$gte": 5}}""", true)]
    [InlineData("""{"metadata.n": {"$gte": 5.01}}""", false)]
    [InlineData("""{"metadata.n": {"$lt": 6}}""", true)]
    [InlineData("""{"metadata.n": {"$lt": 5}}""", false)]
    [InlineData("""{"metadata.n": {"$lte": 5}}""", true)]
    [InlineData("""{"metadata.n": {"$lte": 4}}""", false)]
    [InlineData("""{"metadata.s": {"$gt": 4}}""", true)]
    [InlineData("""{"metadata.n": {"$gt": "4.5"}}""", true)]
    [InlineData("""{"params.max_tokens": {"$gte": 256}}""", true)]
    [InlineData("""{"params.temperature": {"$lt": 0.5}}""", false)]
    [InlineData("""{"metadata.tier": {"$gt": 1}}""", false)]
    [InlineData("""{"metadata.tier": {"$lt": 1}}""", false)]
    [InlineData("""{"metadata.flag": {"$gte": 0}}""", false)]
    [InlineData("""{"metadata.none": {"$gt": 0}}""", false)]
    [InlineData("""{"metadata.none": {"$lte": 0}}""", false)]
    // $in / $nin.
    [InlineData("""{"metadata.tier": {"$in": ["team", "pro"]}}""", true)]
    [InlineData("""{"metadata.tier": {"$in": ["free"]}}""", false)]
    [InlineData("""{"metadata.tier": {"$in": []}}""", false)]
    [InlineData("""{"metadata.n": {"$in": [5]}}""", true)]
    [InlineData("""{"metadata.n": {"$in": ["5"]}}""", false)]
    [InlineData("""{"metadata.tags": {"$in": [["x", "y"]]}}""", true)]
    [InlineData("""{"metadata.none": {"$in": ["x"]}}""", false)]
    [InlineData("""{"metadata.tier": {"$nin": ["free"]}}""", true)]
    [InlineData("""{"metadata.tier": {"$nin": ["pro", "free"]}}""", false)]
    [InlineData("""{"metadata.none": {"$nin": ["x"]}}""", true)]
    // $regex: strings, and the JSON text of numbers and booleans.
    [InlineData("""{"metadata.tier": {"$regex": "^p"}}""", true)]
    [InlineData("""{"metadata.tier": {"$regex": "^f"}}""", false)]
    [InlineData("""{"metadata.tier": {"$regex": "^PRO$"}}""", false)]
    [InlineData("""{"metadata.tier": {"$regex": "(?i)^PRO$"}}""", true)]
    [InlineData("""{"metadata.n": {"$regex": "^5$"}}""", true)]
    [InlineData("""{"metadata.flag": {"$regex": "^true$"}}""", true)]
    [InlineData("""{"metadata.nil": {"$regex": ".*"}}""", false)]
    [InlineData("""{"metadata.nested": {"$regex": ".*"}}""", false)]
    [InlineData("""{"metadata.none": {"$regex": ".*"}}""", false)]
    [InlineData("""{"params.model": {"$regex": "^gpt-4"}}""", true)]
    // Any depth, array indexes, url.pathname.
    [InlineData("""{"metadata.nested.a.b": "deep"}""", true)]
    [InlineData("""{"params.a.b.c.d": 42}""", true)]
    [InlineData("""{"params.a.b.c.d": {"$gt": 41}}""", true)]
    [InlineData("""{"params.a.b.c": {"$eq": {"d": 42}}}""", true)]
    [InlineData("""{"params.a.b.c.d.e": {"$ne": 1}}""", true)]
    [InlineData("""{"params.messages.0.role": "system"}""", true)]
    [InlineData("""{"params.messages.1.content": "hi"}""", true)]
    [InlineData("""{"params.messages.2.role": "user"}""", false)]
    [InlineData("""{"params.messages.2.role": {"$ne": "user"}}""", true)]
    [InlineData("""{"metadata.tags.1": "y"}""", true)]
    [InlineData("""{"url.pathname": "/v1/chat/completions"}""", true)]
    [InlineData("""{"url.pathname": {"$regex": "/embeddings$"}}""", false)]
    // Several keys, operators and combinators are ANDed, siblings of $and/$or/$regex included.
    [InlineData("""{"metadata.tier": "pro", "metadata.n": 5}""", true)]
    [InlineData("""{"metadata.tier": "pro", "metadata.n": 6}""", false)]
    [InlineData("""{"metadata.tier": {"$eq": "pro", "$ne": "x"}}""", true)]
    [InlineData("""{"metadata.tier": {"$eq": "pro", "$ne": "pro"}}""", false)]
    [InlineData("""{"metadata.tier": {"$regex": "^p", "$nin": ["pro"]}}""", false)]
    [InlineData("""{"metadata.n": {"$gt": 1, "$lt": 10}}""", true)]
    [InlineData("""{"metadata.n": {"$gt": 1, "$lt": 5}}""", false)]
    [InlineData("""{"$and": [{"metadata.tier": "pro"}, {"metadata.n": 5}]}""", true)]
    [InlineData("""{"$and": [{"metadata.tier": "pro"}, {"metadata.n": 6}]}""", false)]
    [InlineData("""{"$and": [{"metadata.tier": "pro"}], "metadata.n": 6}""", false)]
    [InlineData("""{"$and": [{"metadata.tier": "pro"}], "metadata.n": 5}""", true)]
    [InlineData("""{"$or": [{"metadata.tier": "free"}, {"metadata.tier": "pro"}]}""", true)]
    [InlineData("""{"$or": [{"metadata.tier": "free"}, {"metadata.tier": "team"}]}""", false)]
    [InlineData("""{"$or": [{"metadata.tier": "free"}, {"metadata.tier": "pro"}], "metadata.n": 6}""", false)]
    [InlineData("""{"metadata.n": 5, "$or": [{"metadata.tier": "free"}, {"metadata.tier": "pro"}]}""", true)]
    [InlineData("""{"$or": [{"$and": [{"metadata.tier": "pro"}, {"params.model": "gpt-4o"}]}, {"metadata.tier": "free"}]}""", true)]
    [InlineData("""{"$and": [{"$or": [{"metadata.none": "x"}, {"params.model": "o1"}]}]}""", false)]
    [InlineData("""{"$and": []}""", true)]
    [InlineData("""{"$or": []}""", false)]
    [InlineData("""{}""", true)]
    public void Matches_Query_ReturnsExpected(string query, bool expected)
    {
        Assert.Equal(expected, TestConfigs.Query(query).Matches(Facts()));
    }

    [Theory]
    [InlineData("""{"metadata.tier": {"$ne": "pro"}}""", true)]
    [InlineData("""{"metadata.tier": {"$nin": ["pro"]}}""", true)]
    [InlineData("""{"metadata.tier": {"$eq": "pro"}}""", false)]
    [InlineData("""{"metadata.tier": {"$in": ["pro"]}}""", false)]
    [InlineData("""{"metadata.tier": {"$regex": ""}}""", false)]
    [InlineData("""{"metadata.n": {"$gte": -1000000}}""", false)]
    [InlineData("""{"params.model": {"$ne": "gpt-4o"}}""", true)]
    public void Matches_NoMetadataNoBody_OnlyNegativeOperatorsHold(string query, bool expected)
    {
        var facts = new RoutingFacts(null, () => null, "/v1/chat/completions");

        Assert.Equal(expected, TestConfigs.Query(query).Matches(facts));
    }

    [Fact]
    public void Matches_MetadataOnly_NeverParsesTheBody()
    {
        var reads = 0;
        var facts = new RoutingFacts(JsonDocument.Parse(Metadata).RootElement, () => { reads++; return null; }, "/");

        Assert.True(TestConfigs.Query("""{"metadata.tier": "pro"}""").Matches(facts));
        Assert.Equal(0, reads);
    }

    [Fact]
    public void Matches_ManyParamsConditions_ParsesTheBodyOnce()
    {
        var reads = 0;
        var facts = new RoutingFacts(null, () => { reads++; return JsonDocument.Parse(Body).RootElement; }, "/");

        Assert.True(TestConfigs.Query("""{"params.model": "gpt-4o", "params.a.b.c.d": 42}""").Matches(facts));
        Assert.False(TestConfigs.Query("""{"params.model": "o1"}""").Matches(facts));
        Assert.Equal(1, reads);
    }

    [Fact]
    public void Matches_CatastrophicRegex_IsFalseWithinTheTimeout()
    {
        var facts = new RoutingFacts(
            JsonDocument.Parse($$"""{"text": "{{new string('a', 40)}}!"}""").RootElement, () => null, "/");

        Assert.False(TestConfigs.Query("""{"metadata.text": {"$regex": "^(a+)+$"}}""").Matches(facts));
    }

    [Fact]
    public void Matches_OperandsOutliveTheConfigText_StillCompare()
    {
        var bytes = """
            {"strategy": {"mode": "conditional", "conditions": [{"query": {"metadata.tier": {"$in": ["pro", "team"]}}, "then": "a"}]},
             "targets": [{"name": "a", "provider": "openai"}]}
            """u8.ToArray();
        var query = RoutingConfigParser.Parse(bytes, TestConfigs.Context()).Config!.Root.Strategy!.Conditions[0].Query;
        Array.Clear(bytes);

        Assert.True(query.Matches(new RoutingFacts(JsonDocument.Parse("""{"tier": "team"}""").RootElement, () => null, "/")));
    }
}
