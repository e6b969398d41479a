using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.OpenAi;

/// <summary>Clients of <c>/v1/chat/completions</c>: they already speak the lingua franca.</summary>
public sealed class OpenAiDialect : IClientDialect
{
    public static OpenAiDialect Instance { get; } = new();

    public ClientFormat Format => ClientFormat.OpenAi;

    public WireFormat NativeFormat => WireFormat.OpenAi;

    public byte[] RequestToOpenAi(ReadOnlySpan<byte> body) => body.ToArray();

    public byte[] ResponseFromOpenAi(ReadOnlySpan<byte> openAiBody) => openAiBody.ToArray();

    public byte[] Error(int status, string type, string message) => ErrorBody(type, message, code: null);

    public IClientStreamWriter CreateStreamWriter() => new StreamWriter();

    /// <summary>OpenAI's error shape <c>{"error":{message,type,param,code}}</c>.</summary>
    public static byte[] ErrorBody(string type, string message, string? code)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteNull("param");
            if (code is null)
            {
                writer.WriteNull("code");
            }
            else
            {
                writer.WriteString("code", code);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class StreamWriter : IClientStreamWriter
    {
        public void Write(ReadOnlySpan<byte> openAiChunk, IBufferWriter<byte> output) => SseFormat.WriteData(openAiChunk, output);

        public void WriteError(string type, string message, IBufferWriter<byte> output) =>
            SseFormat.WriteData(ErrorBody(type, message, "upstream_stream_interrupted"), output);
    }
}
