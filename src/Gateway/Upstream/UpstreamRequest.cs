using Switchyard.Providers;

namespace Switchyard.Gateway.Upstream;

/// <summary>Everything needed to send one call to one target; built once per target and reused by its retries.</summary>
internal sealed record UpstreamRequest
{
    public required string ProviderSlug { get; init; }

    /// <summary>The virtual key whose secret this target calls with; null when none. Budgets and rate limits of the virtual key are charged against it.</summary>
    public State.VirtualKey? VirtualKey { get; init; }

    /// <summary>The adapter that built the request and reads the answer.</summary>
    public required IProviderAdapter Adapter { get; init; }

    /// <summary>The call the adapter built the request from; its translators need it again for the answer.</summary>
    public required ProviderCall Call { get; init; }

    public required HttpMethod Method { get; init; }

    public required Uri Uri { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The base URL came from a custom host, so the connection must not land on a forbidden address.</summary>
    public bool IsCustomHost { get; init; }

    /// <summary>The client asked for a stream; a 2xx streamed answer is read up to its first event inside the attempt.</summary>
    public bool Stream { get; init; }

    /// <summary>The gateway added <c>stream_options.include_usage</c> itself, so the usage chunk must not reach the client.</summary>
    public bool DropUsageChunk { get; init; }

    public required TimeSpan Timeout { get; init; }
}
