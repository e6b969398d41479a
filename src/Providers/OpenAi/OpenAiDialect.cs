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
    public static byte[] ErrorBody(string type, string message, string? code) => ErrorBody(type, message, code, param: null, providerFields: default);

    /// <summary>OpenAI's error shape, with <c>param</c>, and the provider's own error fields after OpenAI's four (Azure's <c>innererror</c>, …).</summary>
    /// <param name="providerFields">An error object whose fields other than message, type, param and code are kept; <c>default</c> for none.</param>
    internal static byte[] ErrorBody(string type, string message, string? code, string? param, JsonElement providerFields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteString("param", param);
            writer.WriteString("code", code);
            if (providerFields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in providerFields.EnumerateObject())
                {
                    if (!(field.NameEquals("message") || field.NameEquals("type") || field.NameEquals("param") || field.NameEquals("code")))
                    {
                        field.WriteTo(writer);
                    }
                }
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
