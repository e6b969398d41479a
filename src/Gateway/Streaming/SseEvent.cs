namespace Switchyard.Gateway.Streaming;

/// <summary>One server-sent event: its optional <c>event:</c> name and its joined <c>data:</c> lines.</summary>
internal sealed record SseEvent(string? Name, byte[] Data)
{
    public bool IsDone => Data.AsSpan().SequenceEqual("[DONE]"u8);
}
