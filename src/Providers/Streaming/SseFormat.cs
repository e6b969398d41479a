using System.Buffers;
using System.Text;

namespace Switchyard.Providers.Streaming;

/// <summary>Writes server-sent events.</summary>
public static class SseFormat
{
    /// <summary><c>data: …\n\n</c>, with a <c>data: </c> prefix on every line of multi-line data.</summary>
    public static void WriteData(ReadOnlySpan<byte> data, IBufferWriter<byte> output) => WriteEvent(null, data, output);

    /// <summary><c>event: name\ndata: …\n\n</c>.</summary>
    public static void WriteEvent(string? name, ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (name is not null)
        {
            output.Write("event: "u8);
            output.Write(Encoding.UTF8.GetBytes(name));
            output.Write("\n"u8);
        }

        while (true)
        {
            var newline = data.IndexOf((byte)'\n');
            output.Write("data: "u8);
            if (newline < 0)
            {
                output.Write(data);
                break;
            }

            output.Write(data[..newline]);
            output.Write("\n"u8);
            data = data[(newline + 1)..];
        }

        output.Write("\n\n"u8);
    }
}
