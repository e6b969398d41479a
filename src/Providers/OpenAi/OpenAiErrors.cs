using System.Buffers;
using System.Text.Json;

namespace Switchyard.Providers.OpenAi;

/// <summary>OpenAI's error shape <c>{"error":{message,type,param,code}}</c>: what every adapter turns its provider's errors into, and what OpenAI clients get.</summary>
public static class OpenAiErrors
{
    public static byte[] Body(string type, string message, string? code) => Body(type, message, code, param: null, providerFields: default);

    /// <summary>OpenAI's error shape, with <c>param</c>, and the provider's own error fields after OpenAI's four (Azure's <c>innererror</c>, …).</summary>
    /// <param name="providerFields">An error object whose fields other than message, type, param and code are kept; <c>default</c> for none.</param>
    internal static byte[] Body(string type, string message, string? code, string? param, JsonElement providerFields)
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
}
