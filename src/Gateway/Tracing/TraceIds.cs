using System.Buffers.Binary;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Tracing;

/// <summary>
/// Trace ids for calls that bring none: UUID text, as Portkey returns, of version 7, so that new ids sort by time and
/// the request log's trace index grows at its end instead of at a random page per call (which doubled the log's write
/// cost). They only need to be unique, not unguessable, so the random part comes from the process's fast generator;
/// <see cref="Guid.NewGuid"/> asks the kernel for secure random bytes (a system call) on every request.
/// </summary>
internal static class TraceIds
{
    /// <summary>The call's trace id: the client's <c>x-portkey-trace-id</c>, or a new one; answered in the same header.</summary>
    public static void Assign(GatewayCall call)
    {
        call.TraceId = call.Headers[GatewayHeaders.TraceId] is { Length: > 0 } traceId ? traceId : New(call.StartedAt);
        call.Response.SetHeader(GatewayHeaders.TraceId, call.TraceId);
    }

    /// <summary>A version-7 UUID for <paramref name="now"/>: 48 bits of Unix milliseconds, then 74 random bits.</summary>
    public static string New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes[6..]);
        Span<byte> milliseconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(milliseconds, now.ToUnixTimeMilliseconds());
        milliseconds[2..].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x70); // version 7
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true).ToString();
    }
}
