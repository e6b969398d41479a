using static Switchyard.Providers.Catalog.ProviderCapabilities;

namespace Switchyard.Providers.Catalog;

/// <summary>
/// The providers Switchyard knows out of the box, one line each.
/// </summary>
/// <remarks>
/// Slugs and base URLs follow Portkey's gateway (<c>src/globals.ts</c> <c>VALID_PROVIDERS</c> and each
/// <c>src/providers/&lt;slug&gt;/api.ts</c>), so a client that works against Portkey reaches the same
/// upstream URL here. Where Portkey splits a URL differently (e.g. <c>https://api.together.xyz</c> plus
/// <c>/v1/chat/completions</c>), the base is everything before <c>/chat/completions</c>.
/// Capabilities say what the provider serves on its OpenAI-compatible surface: ChatCompletions and
/// Completions and Embeddings where Portkey maps the endpoint or the provider documents it, Models
/// only where a <c>GET /models</c> is known to exist, and StreamUsage only where
/// <c>stream_options.include_usage</c> is known to be honoured. Unknown means off: the gateway then
/// counts stream usage itself instead of trusting a chunk that may never come.
/// </remarks>
internal static class BuiltInProviders
{
    public static ProviderDescriptor[] Create() =>
    [
        // OpenAI itself: the reference every other OpenAI-format provider imitates.
        Compatible("openai", "OpenAI", "https://api.openai.com/v1", ChatCompletions | Completions | Embeddings | Models | StreamUsage),

        // OpenAI-compatible clouds registered in Portkey; requests pass through unchanged.
        Compatible("groq", "Groq", "https://api.groq.com/openai/v1", ChatCompletions | Models | StreamUsage),
        Compatible("together-ai", "Together AI", "https://api.together.xyz/v1", ChatCompletions | Completions | Embeddings | Models),
        Compatible("mistral-ai", "Mistral AI", "https://api.mistral.ai/v1", ChatCompletions | Embeddings | Models),
        Compatible("deepseek", "DeepSeek", "https://api.deepseek.com/v1", ChatCompletions | Models | StreamUsage),
        Compatible("fireworks-ai", "Fireworks AI", "https://api.fireworks.ai/inference/v1", ChatCompletions | Completions | Embeddings),
        // OpenRouter always sends usage in the last chunk and accepts the flag (documented as having no effect).
        Compatible("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", ChatCompletions | Models | StreamUsage),
        Compatible("perplexity-ai", "Perplexity AI", "https://api.perplexity.ai", ChatCompletions),
        Compatible("x-ai", "xAI", "https://api.x.ai/v1", ChatCompletions | Completions | Embeddings | Models),
        Compatible("deepinfra", "DeepInfra", "https://api.deepinfra.com/v1/openai", ChatCompletions | Completions | Embeddings | Models),
        Compatible("cerebras", "Cerebras", "https://api.cerebras.ai/v1", ChatCompletions | Completions | Models),
        // Anyscale Endpoints has been retired upstream; kept because Portkey still registers the slug.
        Compatible("anyscale", "Anyscale", "https://api.endpoints.anyscale.com/v1", ChatCompletions | Completions | Embeddings),
        Compatible("sambanova", "SambaNova", "https://api.sambanova.ai/v1", ChatCompletions | Models),
        Compatible("hyperbolic", "Hyperbolic", "https://api.hyperbolic.xyz/v1", ChatCompletions),
        // Portkey appends /v1/chat/completions to https://api.novita.ai/v3/openai; kept byte for byte.
        Compatible("novita-ai", "Novita AI", "https://api.novita.ai/v3/openai/v1", ChatCompletions | Completions),
        Compatible("lambda", "Lambda", "https://api.lambdalabs.com/v1", ChatCompletions | Completions | Models),
        Compatible("nebius", "Nebius AI Studio", "https://api.studio.nebius.ai/v1", ChatCompletions | Completions | Embeddings),
        // GitHub Models through Portkey's azure-ai adapter, which uses this host for the github slug.
        Compatible("github", "GitHub Models", "https://models.inference.ai.azure.com", ChatCompletions | Embeddings),
        Compatible("moonshot", "Moonshot AI", "https://api.moonshot.cn/v1", ChatCompletions | Models),
        // DashScope compatible mode documents stream_options.include_usage.
        Compatible("dashscope", "Alibaba DashScope", "https://dashscope.aliyuncs.com/compatible-mode/v1", ChatCompletions | Embeddings | StreamUsage),
        Compatible("siliconflow", "SiliconFlow", "https://api.siliconflow.cn/v1", ChatCompletions | Embeddings | Models),
        Compatible("featherless-ai", "Featherless AI", "https://api.featherless.ai/v1", ChatCompletions | Completions | Models),
        Compatible("inference-net", "Inference.net", "https://api.inference.net/v1", ChatCompletions),
        Compatible("zhipu", "Zhipu AI (BigModel)", "https://open.bigmodel.cn/api/paas/v4", ChatCompletions | Embeddings),
        Compatible("z-ai", "Z.ai", "https://api.z.ai/api/paas/v4", ChatCompletions),
        Compatible("lepton", "Lepton AI", "https://api.lepton.ai/api/v1", ChatCompletions | Completions),
        Compatible("lingyi", "01.AI (Lingyi)", "https://api.lingyiwanwu.com/v1", ChatCompletions),
        Compatible("monsterapi", "MonsterAPI", "https://llm.monsterapi.ai/v1", ChatCompletions),
        Compatible("deepbricks", "Deepbricks", "https://api.deepbricks.ai/v1", ChatCompletions),
        Compatible("upstage", "Upstage", "https://api.upstage.ai/v1/solar", ChatCompletions | Embeddings),
        Compatible("nscale", "Nscale", "https://inference.api.nscale.com/v1", ChatCompletions),
        Compatible("kluster-ai", "kluster.ai", "https://api.kluster.ai/v1", ChatCompletions | Embeddings),
        Compatible("302ai", "302.AI", "https://api.302.ai/v1", ChatCompletions),
        Compatible("cometapi", "CometAPI", "https://api.cometapi.com/v1", ChatCompletions | Embeddings),
        Compatible("matterai", "MatterAI", "https://api.matterai.so/v1", ChatCompletions),
        Compatible("nextbit", "Nextbit", "https://api.nextbit256.com/v1", ChatCompletions | Completions),
        Compatible("ncompass", "nCompass", "https://api.ncompass.tech/v1", ChatCompletions),
        Compatible("lemonfox-ai", "Lemonfox AI", "https://api.lemonfox.ai/v1", ChatCompletions),
        Compatible("krutrim", "Krutrim", "https://cloud.olakrutrim.com/v1", ChatCompletions),
        // Registered in newer Portkey releases than the 70-slug list this table was first checked against.
        Compatible("iointelligence", "IO Intelligence", "https://api.intelligence.io.solutions/api/v1", ChatCompletions | Embeddings),
        Compatible("ovhcloud", "OVHcloud AI Endpoints", "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", ChatCompletions),
        Compatible("aibadgr", "AI Badgr", "https://aibadgr.com/api/v1", ChatCompletions),

        // Portkey slugs whose URL depends on the caller, so a custom host is required here:
        // huggingface puts the model in the path on its serverless API (custom host = a dedicated endpoint),
        // predibase puts tenant and deployment in the path, and modal serves each app on its own URL.
        Compatible("huggingface", "Hugging Face", null, ChatCompletions | Completions),
        Compatible("predibase", "Predibase", null, ChatCompletions),
        Compatible("modal", "Modal", null, ChatCompletions),

        // Local servers: no key. Portkey's ollama has no default and wants a custom host without /v1.
        Compatible("ollama", "Ollama", "http://localhost:11434/v1", ChatCompletions | Completions | Embeddings | Models, ProviderAuth.None),
        Compatible("lm-studio", "LM Studio", "http://localhost:1234/v1", ChatCompletions | Completions | Embeddings | Models, ProviderAuth.None) with { IsPortkeySlug = false },

        // Switchyard additions (Portkey reaches these through openai + custom host).
        // vLLM's OpenAI server documents stream_options.include_usage; --api-key makes it check a Bearer token.
        Compatible("vllm", "vLLM", null, ChatCompletions | Completions | Embeddings | Models | StreamUsage) with { IsPortkeySlug = false },
        Compatible("nvidia", "NVIDIA NIM", "https://integrate.api.nvidia.com/v1", ChatCompletions | Embeddings | Models) with { IsPortkeySlug = false },

        // Native formats: listed so slugs resolve and the gateway can say "not supported yet".
        new("anthropic", "Anthropic", new Uri("https://api.anthropic.com/v1"), ProviderAuth.Header("x-api-key"), WireFormat.Anthropic, ChatCompletions | Models),
        // Portkey sends the Gemini key as ?key=; the x-goog-api-key header is equivalent and keeps keys out of URLs and logs.
        new("google", "Google Gemini", new Uri("https://generativelanguage.googleapis.com/v1beta"), ProviderAuth.Header("x-goog-api-key"), WireFormat.Gemini, ChatCompletions | Embeddings),
        // The resource URL is built from azure options; stream usage depends on the api-version, so left off.
        new("azure-openai", "Azure OpenAI", null, ProviderAuth.Header("api-key"), WireFormat.AzureOpenAi, ChatCompletions | Completions | Embeddings),
        // Cohere's v2 API; Portkey's adapter still calls https://api.cohere.ai/v1.
        new("cohere", "Cohere", new Uri("https://api.cohere.com/v2"), ProviderAuth.Bearer, WireFormat.Cohere, ChatCompletions | Embeddings),
        new("bedrock", "AWS Bedrock", null, ProviderAuth.AwsSigV4, WireFormat.Bedrock, ChatCompletions | Embeddings),
    ];

    private static ProviderDescriptor Compatible(string slug, string name, string? baseUrl, ProviderCapabilities capabilities, ProviderAuth? auth = null) =>
        new(slug, name, baseUrl is null ? null : new Uri(baseUrl, UriKind.Absolute), auth ?? ProviderAuth.Bearer, WireFormat.OpenAi, capabilities);
}
