using Switchyard.Providers.Catalog;

namespace Switchyard.Providers.Tests.Catalog;

public class ProviderCatalogTests
{
    private static readonly ProviderCatalog Catalog = ProviderCatalog.Default;

    [Fact]
    public void All_OpenAiFormatWithHttpsBase_AtLeastTwenty()
    {
        var count = Catalog.All.Count(p =>
            p.Format == WireFormat.OpenAi
            && p.BaseUrl is { IsAbsoluteUri: true } url
            && url.Scheme == Uri.UriSchemeHttps);

        Assert.True(count >= 20, $"only {count} OpenAI-format providers with an https base URL");
    }

    [Fact]
    public void All_Slugs_UniqueAndLowercase()
    {
        var slugs = Catalog.All.Select(p => p.Slug).ToList();

        Assert.Equal(slugs.Count, slugs.Distinct(StringComparer.Ordinal).Count());
        Assert.All(slugs, s => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", s));
    }

    [Fact]
    public void All_BaseUrls_EndBeforeTheEndpointPath()
    {
        Assert.All(Catalog.All.Where(p => p.BaseUrl is not null), p =>
        {
            var text = p.BaseUrl!.OriginalString;
            Assert.False(text.EndsWith('/'), $"{p.Slug}: {text} ends with '/'");
            Assert.False(text.EndsWith("/chat/completions", StringComparison.Ordinal), $"{p.Slug}: {text}");
            Assert.True(p.BaseUrl.IsAbsoluteUri, p.Slug);
            Assert.True(string.IsNullOrEmpty(p.BaseUrl.Query) && string.IsNullOrEmpty(p.BaseUrl.Fragment), p.Slug);
        });
    }

    [Theory]
    [InlineData("openai", "https://api.openai.com/v1")]
    [InlineData("groq", "https://api.groq.com/openai/v1")]
    [InlineData("together-ai", "https://api.together.xyz/v1")]
    [InlineData("mistral-ai", "https://api.mistral.ai/v1")]
    [InlineData("deepseek", "https://api.deepseek.com/v1")]
    [InlineData("fireworks-ai", "https://api.fireworks.ai/inference/v1")]
    [InlineData("openrouter", "https://openrouter.ai/api/v1")]
    [InlineData("perplexity-ai", "https://api.perplexity.ai")]
    [InlineData("x-ai", "https://api.x.ai/v1")]
    [InlineData("deepinfra", "https://api.deepinfra.com/v1/openai")]
    [InlineData("cerebras", "https://api.cerebras.ai/v1")]
    [InlineData("ollama", "http://localhost:11434/v1")]
    [InlineData("lm-studio", "http://localhost:1234/v1")]
    [InlineData("dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1")]
    [InlineData("zhipu", "https://open.bigmodel.cn/api/paas/v4")]
    public void TryGet_KnownSlug_ReturnsOpenAiBaseUrl(string slug, string baseUrl)
    {
        Assert.True(Catalog.TryGet(slug, out var provider));

        Assert.Equal(slug, provider.Slug);
        Assert.Equal(baseUrl, provider.BaseUrl!.OriginalString);
        Assert.Equal(WireFormat.OpenAi, provider.Format);
    }

    [Fact]
    public void TryGet_OpenAi_ServesEverythingWithBearer()
    {
        Assert.True(Catalog.TryGet("openai", out var openai));

        Assert.Equal(
            ProviderCapabilities.ChatCompletions | ProviderCapabilities.Completions | ProviderCapabilities.Embeddings
                | ProviderCapabilities.Models | ProviderCapabilities.StreamUsage,
            openai.Capabilities);
        Assert.Equal(ProviderAuth.Bearer, openai.Auth);
        Assert.True(openai.IsPortkeySlug);
    }

    [Theory]
    [InlineData("Groq")]
    [InlineData("GROQ")]
    [InlineData(" groq")]
    [InlineData("groq ")]
    [InlineData("together_ai")]
    [InlineData("")]
    [InlineData("nope")]
    public void TryGet_NotExactSlug_ReturnsFalse(string slug)
    {
        Assert.False(Catalog.TryGet(slug, out var provider));
        Assert.Null(provider);
    }

    [Theory]
    [InlineData("anthropic", WireFormat.Anthropic, "https://api.anthropic.com/v1", "x-api-key", "")]
    [InlineData("google", WireFormat.Gemini, "https://generativelanguage.googleapis.com/v1beta", "x-goog-api-key", "")]
    [InlineData("azure-openai", WireFormat.AzureOpenAi, null, "api-key", "")]
    [InlineData("cohere", WireFormat.Cohere, "https://api.cohere.com/v2", "Authorization", "Bearer ")]
    [InlineData("bedrock", WireFormat.Bedrock, null, "Authorization", "AWS4-HMAC-SHA256 ")]
    public void TryGet_NativeProvider_IsListedButNotOpenAiCompatible(string slug, WireFormat format, string? baseUrl, string header, string prefix)
    {
        Assert.True(Catalog.TryGet(slug, out var provider));

        Assert.Equal(format, provider.Format);
        Assert.Equal(baseUrl, provider.BaseUrl?.OriginalString);
        Assert.Equal(header, provider.Auth.HeaderName);
        Assert.Equal(prefix, provider.Auth.ValuePrefix);
        Assert.False(provider.IsOpenAiCompatible);
        Assert.False(provider.RequiresCustomHost);
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("huggingface")]
    [InlineData("predibase")]
    [InlineData("modal")]
    public void TryGet_NoPublicEndpoint_RequiresCustomHost(string slug)
    {
        Assert.True(Catalog.TryGet(slug, out var provider));

        Assert.Null(provider.BaseUrl);
        Assert.True(provider.RequiresCustomHost);
        Assert.True(provider.IsOpenAiCompatible);
    }

    [Theory]
    [InlineData("ollama")]
    [InlineData("lm-studio")]
    public void TryGet_LocalServer_SendsNoKey(string slug)
    {
        Assert.True(Catalog.TryGet(slug, out var provider));

        Assert.Same(ProviderAuth.None, provider.Auth);
        Assert.Equal(Uri.UriSchemeHttp, provider.BaseUrl!.Scheme);
        Assert.True(provider.BaseUrl.IsLoopback);
    }

    [Fact]
    public void All_SwitchyardOnlySlugs_AreMarked()
    {
        var extras = Catalog.All.Where(p => !p.IsPortkeySlug).Select(p => p.Slug).Order(StringComparer.Ordinal);

        Assert.Equal(["lm-studio", "nvidia", "vllm"], extras);
    }

    [Fact]
    public void All_EveryProviderServesChat()
    {
        Assert.All(Catalog.All, p => Assert.True(p.Capabilities.HasFlag(ProviderCapabilities.ChatCompletions), p.Slug));
    }

    [Fact]
    public void Constructor_DuplicateSlug_Throws()
    {
        var groq = new ProviderDescriptor("groq", "Groq", new Uri("https://api.groq.com/openai/v1"), ProviderAuth.Bearer, WireFormat.OpenAi, ProviderCapabilities.ChatCompletions);

        var error = Assert.Throws<ArgumentException>(() => new ProviderCatalog([groq, groq]));

        Assert.StartsWith("Provider slug 'groq' is listed twice.", error.Message, StringComparison.Ordinal);
    }
}
