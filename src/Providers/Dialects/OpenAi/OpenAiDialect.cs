using System.Buffers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Dialects.OpenAi;

/// <summary>Clients of <c>/v1/chat/completions</c>: they already speak the lingua franca.</summary>
public sealed class OpenAiDialect : IClientDialect
{
    public static OpenAiDialect Instance { get; } = new();

    public ClientFormat Format => ClientFormat.OpenAi;

    public WireFormat NativeFormat => WireFormat.OpenAi;

    public byte[] RequestToOpenAi(ReadOnlySpan<byte> body) => body.ToArray();

    public byte[] ResponseFromOpenAi(ReadOnlySpan<byte> openAiBody) => openAiBody.ToArray();

    public byte[] Error(int status, string type, string message) => OpenAiErrors.Body(type, message, code: null);

    public IClientStreamWriter CreateStreamWriter() => new StreamWriter();

    private sealed class StreamWriter : IClientStreamWriter
    {
        public void Write(ReadOnlySpan<byte> openAiChunk, IBufferWriter<byte> output) => SseFormat.WriteData(openAiChunk, output);

        public void WriteError(string type, string message, IBufferWriter<byte> output) =>
            SseFormat.WriteData(OpenAiErrors.Body(type, message, "upstream_stream_interrupted"), output);
    }
}
