using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Tracing;

/// <summary>
/// Trace ids for calls that bring none: UUID v4 text, as Portkey returns. They only need to be unique, not unguessable,
/// so they come from the process's fast random generator; <see cref="Guid.NewGuid"/> asks the kernel for secure random
/// bytes (a system call) on every request.
/// </summary>
internal static class TraceIds
{
    /// <summary>The call's trace id: the client's <c>x-portkey-trace-id</c>, or a new one; answered in the same header.</summary>
    public static void Assign(GatewayCall call)
    {
        call.TraceId = call.Headers[GatewayHeaders.TraceId] is { Length: > 0 } traceId ? traceId : New();
        call.Response.SetHeader(GatewayHeaders.TraceId, call.TraceId);
    }

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's little-endian layout puts the version in byte 7)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }
}
