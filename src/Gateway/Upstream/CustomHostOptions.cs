namespace Switchyard.Gateway.Upstream;

/// <summary>
/// Settings for <c>x-portkey-custom-host</c> and config <c>custom_host</c>, bound from the
/// configuration section <see cref="SectionName"/> (<c>Switchyard:Gateway</c>).
/// </summary>
public sealed class CustomHostOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Switchyard:Gateway";

    /// <summary>
    /// Host names and IP literals a custom host may name even though the SSRF rules would refuse
    /// them, e.g. a vLLM server at <c>10.0.0.5</c> or <c>vllm.internal</c>.
    /// </summary>
    /// <remarks>
    /// Default: <c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>, so local servers (Ollama, LM Studio)
    /// work out of the box. Portkey's default also trusts <c>host.docker.internal</c>; Switchyard does
    /// not, because that name reaches the container host's private services.
    /// Each entry is a host name or IP literal without scheme, port or path. Matching is exact on the
    /// host text, case-insensitive and ignoring a trailing dot: there are no wildcards, and
    /// <c>127.1</c> or <c>0x7f.0.0.1</c> do not match <c>127.0.0.1</c>. IPv6 entries match any
    /// spelling of the same address.
    /// Entries from configuration are added to these defaults: the binder appends to a pre-filled list.
    /// </remarks>
    public IList<string> TrustedCustomHosts { get; } = ["localhost", "127.0.0.1", "::1"];
}
