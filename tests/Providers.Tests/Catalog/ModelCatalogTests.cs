using System.Text;
using Switchyard.Providers.Catalog;

namespace Switchyard.Providers.Tests.Catalog;

public class ModelCatalogTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Default;

    // ---- The built-in data ----

    [Fact]
    public void Default_Header_NamesSourceAndDate()
    {
        Assert.Contains("litellm", Catalog.Source, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Portkey-AI/models", Catalog.Source, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", Catalog.AsOf);
    }

    [Fact]
    public void Default_Providers_AreCatalogSlugs()
    {
        var providers = Catalog.All.Select(model => model.Provider).Distinct().ToList();

        Assert.All(providers, provider => Assert.True(ProviderCatalog.Default.TryGet(provider, out _), $"'{provider}' is not a provider slug"));
        Assert.Equal(
            ["openai", "anthropic", "google", "cohere", "bedrock", "mistral-ai", "groq", "deepseek", "together-ai", "x-ai"],
            providers);
    }

    [Fact]
    public void Default_Entries_HaveKindAndSanePrices()
    {
        Assert.True(Catalog.All.Count >= 80, $"only {Catalog.All.Count} models");
        Assert.All(Catalog.All, model =>
        {
            Assert.Contains(model.Kind, new[] { ModelInfo.Chat, ModelInfo.Embedding });
            Assert.NotNull(model.InputPerMillion);
            if (model.Kind == ModelInfo.Chat)
            {
                Assert.NotNull(model.OutputPerMillion);
            }

            // A cache discount never costs more than the full price.
            if (model.CachedInputPerMillion is decimal cached)
            {
                Assert.True(cached <= model.InputPerMillion, $"{model.Provider}/{model.Id}: cached {cached} > input {model.InputPerMillion}");
            }
        });
    }

    [Fact]
    public void TryGet_Gpt4o_ExactLimitsAndPrices()
    {
        Assert.True(Catalog.TryGet("openai", "gpt-4o", out var model));

        Assert.Equal(new ModelInfo("openai", "gpt-4o", 128000, 16384, 2.50m, 10.00m, 1.25m, ModelInfo.Chat), model);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini", 128000, 16384, "0.15", "0.60", "0.075")]
    [InlineData("openai", "gpt-4.1", 1047576, 32768, "2.00", "8.00", "0.50")]
    [InlineData("openai", "o3", 200000, 100000, "2.00", "8.00", "0.50")]
    [InlineData("anthropic", "claude-sonnet-4-5", 200000, 64000, "3.00", "15.00", "0.30")]
    [InlineData("anthropic", "claude-3-5-haiku", 200000, 8192, "0.80", "4.00", "0.08")]
    [InlineData("google", "gemini-2.5-pro", 1048576, 65535, "1.25", "10.00", "0.125")]
    [InlineData("bedrock", "amazon.nova-pro-v1:0", 300000, 10000, "0.80", "3.20", null)]
    [InlineData("deepseek", "deepseek-chat", 128000, 8192, "0.28", "0.42", "0.028")]
    [InlineData("groq", "llama-3.3-70b-versatile", 128000, 32768, "0.59", "0.79", null)]
    public void TryGet_KnownChatModel_ExactLimitsAndPrices(
        string provider, string id, int context, int maxOutput, string input, string output, string? cached)
    {
        Assert.True(Catalog.TryGet(provider, id, out var model));

        Assert.Equal(id, model.Id);
        Assert.Equal(context, model.ContextWindow);
        Assert.Equal(maxOutput, model.MaxOutputTokens);
        Assert.Equal(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture), model.InputPerMillion);
        Assert.Equal(decimal.Parse(output, System.Globalization.CultureInfo.InvariantCulture), model.OutputPerMillion);
        Assert.Equal(cached is null ? null : decimal.Parse(cached, System.Globalization.CultureInfo.InvariantCulture), model.CachedInputPerMillion);
    }

    [Theory]
    [InlineData("openai", "text-embedding-3-small", "0.02", 8191)]
    [InlineData("openai", "text-embedding-ada-002", "0.10", 8191)]
    [InlineData("cohere", "embed-v4.0", "0.12", 128000)]
    [InlineData("bedrock", "amazon.titan-embed-text-v2:0", "0.02", 8192)]
    [InlineData("google", "text-embedding-004", "0", 2048)]
    public void TryGet_EmbeddingModel_HasInputPriceOnly(string provider, string id, string input, int context)
    {
        Assert.True(Catalog.TryGet(provider, id, out var model));

        Assert.Equal(ModelInfo.Embedding, model.Kind);
        Assert.Equal(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture), model.InputPerMillion);
        Assert.Null(model.OutputPerMillion);
        Assert.Equal(context, model.ContextWindow);
    }

    // ---- The snapshot rule ----

    [Theory]
    [InlineData("openai", "gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("openai", "gpt-4.1-2025-04-14", "gpt-4.1")]
    [InlineData("openai", "o3-mini-2025-01-31", "o3-mini")]
    [InlineData("anthropic", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet")]
    [InlineData("anthropic", "claude-3-5-sonnet-20240620", "claude-3-5-sonnet")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-3-7-sonnet-latest", "claude-3-7-sonnet")]
    [InlineData("anthropic", "claude-sonnet-4-0", "claude-sonnet-4")]
    [InlineData("google", "gemini-2.0-flash-001", "gemini-2.0-flash")]
    [InlineData("x-ai", "grok-4-0709", "grok-4")]
    [InlineData("mistral-ai", "mistral-large-latest", "mistral-large-latest")]
    [InlineData("bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-sonnet-4-20250514-v1:0")]
    [InlineData("bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0")]
    [InlineData("bedrock", "eu.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0")]
    public void TryGet_SnapshotOrAlias_FindsTheFamilyEntry(string provider, string requested, string listed)
    {
        Assert.True(Catalog.TryGet(provider, requested, out var model));

        Assert.Equal(listed, model.Id);
        Assert.Equal(provider, model.Provider);
    }

    [Fact]
    public void TryGet_SnapshotListedOnItsOwn_WinsOverTheFamily()
    {
        Assert.True(Catalog.TryGet("openai", "gpt-4o-2024-05-13", out var snapshot));

        Assert.Equal("gpt-4o-2024-05-13", snapshot.Id);
        Assert.Equal(5.00m, snapshot.InputPerMillion);
        Assert.Equal(15.00m, snapshot.OutputPerMillion);
    }

    [Theory]
    [InlineData("openai", "gpt-unknown")]
    [InlineData("openai", "GPT-4O")]
    [InlineData("openai", "gpt-4-0613")]
    [InlineData("openai", "ft:gpt-4o-2024-08-06:acme::abc123")]
    [InlineData("anthropic", "claude-9-20250101")]
    [InlineData("anthropic", "gpt-4o")]
    [InlineData("groq", "us.llama-3.3-70b-versatile")]
    [InlineData("no-such-provider", "gpt-4o")]
    [InlineData("fireworks-ai", "accounts/fireworks/models/llama-v3p1-8b-instruct")]
    public void TryGet_UnknownModel_ReturnsFalse(string provider, string model)
    {
        Assert.False(Catalog.TryGet(provider, model, out var info));
        Assert.Null(info);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("claude-3-5-haiku-20241022", "claude-3-5-haiku")]
    [InlineData("claude-3-5-haiku-latest", "claude-3-5-haiku")]
    [InlineData("gpt-4-0613", null)]
    [InlineData("gpt-4o", null)]
    [InlineData("-latest", null)]
    [InlineData("model-2024-13-01", null)]
    [InlineData("model-19991231", null)]
    [InlineData("model-20241301", null)]
    [InlineData("text-embedding-004", null)]
    public void WithoutSnapshotSuffix_Id_StripsOnlyDatesAndLatest(string id, string? family)
    {
        Assert.Equal(family, ModelCatalog.WithoutSnapshotSuffix(id));
    }

    [Fact]
    public void ForProvider_Known_ListsItsModelsInFileOrder()
    {
        var deepseek = Catalog.ForProvider("deepseek");

        Assert.Equal(["deepseek-chat", "deepseek-reasoner"], deepseek.Select(model => model.Id));
        Assert.All(Catalog.ForProvider("anthropic"), model => Assert.Equal("anthropic", model.Provider));
        Assert.Contains(Catalog.ForProvider("openai"), model => model.Id == "gpt-4o");
    }

    [Fact]
    public void ForProvider_Unknown_IsEmpty()
    {
        Assert.Empty(Catalog.ForProvider("ollama"));
        Assert.Empty(Catalog.ForProvider("OpenAI"));
    }

    // ---- Validation at load ----

    [Fact]
    public void Parse_MinimalFile_ReadsEntriesAndNulls()
    {
        var catalog = Parse("""{ "provider": "openai", "id": "m", "kind": "chat", "input_per_million": 1.5 }""");

        var model = Assert.Single(catalog.All);
        Assert.Equal(new ModelInfo("openai", "m", null, null, 1.5m, null, null, ModelInfo.Chat), model);
        Assert.Equal("test data", catalog.Source);
        Assert.Equal("2025-01-02", catalog.AsOf);
    }

    [Theory]
    [InlineData("""{ "id": "m", "kind": "chat" }""", "$.models[0].provider")]
    [InlineData("""{ "provider": "openai", "kind": "chat" }""", "$.models[0].id")]
    [InlineData("""{ "provider": "openai", "id": "", "kind": "chat" }""", "$.models[0].id")]
    [InlineData("""{ "provider": "openai", "id": " m", "kind": "chat" }""", "$.models[0].id")]
    [InlineData("""{ "provider": "openai", "id": "m" }""", "$.models[0].kind")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "image" }""", "$.models[0].kind")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "input_per_million": -0.01 }""", "$.models[0].input_per_million")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "output_per_million": "1" }""", "$.models[0].output_per_million")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "cached_input_per_million": -1 }""", "$.models[0].cached_input_per_million")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "context_window": 0 }""", "$.models[0].context_window")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "max_output_tokens": 1.5 }""", "$.models[0].max_output_tokens")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "input_price": 1 }""", "$.models[0].input_price")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat", "aliases": "n" }""", "$.models[0].aliases")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat" }, { "provider": "openai", "id": "m", "kind": "chat" }""", "$.models[1]")]
    [InlineData("""{ "provider": "openai", "id": "m", "kind": "chat" }, { "provider": "openai", "id": "n", "aliases": ["m"], "kind": "chat" }""", "$.models[1]")]
    [InlineData("""[]""", "$.models[0]")]
    public void Parse_InvalidEntry_ThrowsNamingThePath(string entries, string path)
    {
        var failure = Assert.Throws<InvalidDataException>(() => Parse(entries));

        Assert.StartsWith($"Model catalog: {path}: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameIdUnderTwoProviders_IsAllowed()
    {
        var catalog = Parse("""{ "provider": "openai", "id": "m", "kind": "chat" }, { "provider": "groq", "id": "m", "kind": "chat" }""");

        Assert.Equal(2, catalog.All.Count);
        Assert.True(catalog.TryGet("groq", "m", out var model));
        Assert.Equal("groq", model.Provider);
    }

    [Theory]
    [InlineData("""{"as_of":"2025-01-02","models":[]}""", "$.source")]
    [InlineData("""{"source":"s","models":[]}""", "$.as_of")]
    [InlineData("""{"source":"s","as_of":"Jan 2 2025","models":[]}""", "$.as_of")]
    [InlineData("""{"source":"s","as_of":"2025-01-02"}""", "$.models")]
    [InlineData("""[]""", "$")]
    public void Parse_InvalidHeader_ThrowsNamingThePath(string json, string path)
    {
        var failure = Assert.Throws<InvalidDataException>(() => ModelCatalog.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith($"Model catalog: {path}: ", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotJson_Throws()
    {
        var failure = Assert.Throws<InvalidDataException>(() => ModelCatalog.Parse("{\"source\":"u8.ToArray()));

        Assert.StartsWith("Model catalog: not valid JSON", failure.Message, StringComparison.Ordinal);
    }

    private static ModelCatalog Parse(string entries) =>
        ModelCatalog.Parse(Encoding.UTF8.GetBytes($$"""{"source":"test data","as_of":"2025-01-02","models":[{{entries}}]}"""));
}
