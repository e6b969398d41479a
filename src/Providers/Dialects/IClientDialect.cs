using System.Buffers;

namespace Switchyard.Providers.Dialects;

/// <summary>The wire format a client speaks to the gateway: OpenAI's (<c>/v1/chat/completions</c>) or Anthropic's (<c>/v1/messages</c>).</summary>
public enum ClientFormat
{
    OpenAi,
    Anthropic,
}

/// <summary>
/// Translates between the client's wire format and the gateway's OpenAI lingua franca: the request on the way in,
/// answers, errors and stream chunks on the way out. The OpenAI dialect is the identity.
/// </summary>
public interface IClientDialect
{
    ClientFormat Format { get; }

    /// <summary>The provider format this dialect's bodies can pass to untouched (OpenAI to OpenAI, Anthropic to Anthropic).</summary>
    Catalog.WireFormat NativeFormat { get; }

    /// <summary>The client's request body in OpenAI's chat-completions shape.</summary>
    /// <exception cref="ProviderRequestException">the body cannot be expressed (a 400).</exception>
    byte[] RequestToOpenAi(ReadOnlySpan<byte> body);

    /// <summary>An OpenAI chat completion as this client expects it.</summary>
    byte[] ResponseFromOpenAi(ReadOnlySpan<byte> openAiBody);

    /// <summary>An error for this client: from an OpenAI error body, or from the gateway's own message.</summary>
    byte[] Error(int status, string type, string message);

    /// <summary>A writer for one stream: OpenAI chunk payloads in, this client's SSE bytes out.</summary>
    IClientStreamWriter CreateStreamWriter();
}

/// <summary>Writes one client stream from OpenAI chunk payloads (stateful: content blocks open and close).</summary>
public interface IClientStreamWriter
{
    /// <summary>Writes the SSE bytes for one OpenAI chunk payload (or <c>[DONE]</c>).</summary>
    void Write(ReadOnlySpan<byte> openAiChunk, IBufferWriter<byte> output);

    /// <summary>Writes the error event that ends a stream which broke after it started.</summary>
    void WriteError(string type, string message, IBufferWriter<byte> output);
}
