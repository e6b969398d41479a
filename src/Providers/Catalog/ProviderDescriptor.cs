namespace Switchyard.Providers.Catalog;

/// <summary>How a provider expects its credential: a header name and a value prefix.</summary>
/// <param name="HeaderName">The header that carries the key, e.g. <c>Authorization</c> or <c>api-key</c>; null when the provider takes no key.</param>
/// <param name="ValuePrefix">Written before the key, e.g. <c>"Bearer "</c>.</param>
public sealed record ProviderAuth(string? HeaderName, string ValuePrefix)
{
    public static readonly ProviderAuth Bearer = new("Authorization", "Bearer ");
    public static readonly ProviderAuth None = new(null, "");

    /// <summary>
    /// AWS Signature Version 4: the adapter signs each request and writes the whole
    /// <c>Authorization</c> value itself, so there is no static key to prefix.
    /// </summary>
    public static readonly ProviderAuth AwsSigV4 = new("Authorization", "AWS4-HMAC-SHA256 ");

    public static ProviderAuth Header(string name) => new(name, "");
}

/// <summary>The wire format an adapter speaks to the provider.</summary>
public enum WireFormat
{
    /// <summary>OpenAI's chat/completions/embeddings API: requests pass through byte for byte.</summary>
    OpenAi,
    Anthropic,
    Gemini,
    AzureOpenAi,
    Cohere,
    Bedrock,
}

/// <summary>What a provider serves.</summary>
[Flags]
public enum ProviderCapabilities
{
    None = 0,
    ChatCompletions = 1,
    Completions = 2,
    Embeddings = 4,
    Models = 8,
    /// <summary>Honours <c>stream_options.include_usage</c>, so the gateway can ask for usage in streams.</summary>
    StreamUsage = 16,
}

/// <summary>One named provider: where it lives, how it authenticates, which wire format it speaks.</summary>
/// <param name="Slug">Portkey's provider slug, e.g. <c>openai</c>, <c>groq</c>, <c>together-ai</c>.</param>
/// <param name="DisplayName">Human name for docs and the dashboard.</param>
/// <param name="BaseUrl">The API base, ending before the endpoint path (e.g. <c>https://api.groq.com/openai/v1</c>); null when the provider has no public endpoint and a custom host is required (vllm), or when a native adapter builds the URL from provider options (azure-openai resource, bedrock region).</param>
/// <param name="Auth">How the credential is sent.</param>
/// <param name="Format">The adapter family.</param>
/// <param name="Capabilities">Endpoints served.</param>
public sealed record ProviderDescriptor(
    string Slug,
    string DisplayName,
    Uri? BaseUrl,
    ProviderAuth Auth,
    WireFormat Format,
    ProviderCapabilities Capabilities)
{
    /// <summary>
    /// False for slugs Switchyard adds that Portkey's <c>VALID_PROVIDERS</c> does not have
    /// (Portkey answers those with 400 <c>Invalid provider passed</c>), so strict-compatibility
    /// tooling can tell them apart.
    /// </summary>
    public bool IsPortkeySlug { get; init; } = true;

    /// <summary>
    /// True when requests pass through as OpenAI JSON; the other formats wait for their native
    /// adapters, and the gateway answers "not supported yet" for them until then.
    /// </summary>
    public bool IsOpenAiCompatible => Format == WireFormat.OpenAi;

    /// <summary>True when a request cannot be sent without <c>x-portkey-custom-host</c> or config <c>custom_host</c>.</summary>
    public bool RequiresCustomHost => BaseUrl is null && Format == WireFormat.OpenAi;
}
