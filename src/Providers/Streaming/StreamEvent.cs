namespace Switchyard.Providers.Streaming;

/// <summary>
/// One event of a provider's stream, whatever its framing: an SSE event (<c>event:</c> name, joined <c>data:</c> lines)
/// or an AWS event-stream message (<c>:event-type</c> header, payload).
/// </summary>
public sealed record StreamEvent(string? Name, byte[] Data)
{
    /// <summary>OpenAI's terminator, <c>data: [DONE]</c>.</summary>
    public bool IsDone => Data.AsSpan().SequenceEqual("[DONE]"u8);

    public static StreamEvent Done { get; } = new(null, "[DONE]"u8.ToArray());
}

/// <summary>Reads a provider's stream one event at a time, as the bytes arrive.</summary>
public interface IEventStreamReader : IAsyncDisposable
{
    /// <summary>The next event, or null when the stream ended cleanly between events.</summary>
    /// <exception cref="StreamProtocolException">the framing broke: the stream ended inside an event, or an event is malformed or too large.</exception>
    ValueTask<StreamEvent?> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The upstream broke its stream's framing or sent an event that cannot be understood.</summary>
public sealed class StreamProtocolException(string message) : Exception(message);

/// <summary>The provider reported an error inside its stream (Anthropic's <c>event: error</c>, Bedrock's exception events).</summary>
public sealed class UpstreamStreamException(string message) : Exception(message);
