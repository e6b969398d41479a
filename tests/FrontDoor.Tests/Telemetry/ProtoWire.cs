using System.Buffers.Binary;
using System.Text;

namespace Switchyard.FrontDoor.Tests.Telemetry;

/// <summary>One field of a protobuf message as it came on the wire: its number, and its varint, fixed or length-delimited value.</summary>
internal readonly record struct ProtoField(int Number, int WireType, ulong Scalar, ReadOnlyMemory<byte> Bytes)
{
    public ProtoMessage Message => ProtoMessage.Parse(Bytes);

    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    public double Double => BitConverter.Int64BitsToDouble((long)Scalar);
}

/// <summary>
/// A protobuf message decoded by hand from the wire format (varints, 64- and 32-bit fixed values, length-delimited
/// fields), enough to read the OTLP fields tests assert without generated code. Field numbers are OTLP's
/// (opentelemetry/proto/trace/v1/trace.proto, metrics/v1/metrics.proto, common/v1/common.proto).
/// </summary>
internal sealed class ProtoMessage
{
    private readonly List<ProtoField> _fields;

    private ProtoMessage(List<ProtoField> fields) => _fields = fields;

    public static ProtoMessage Parse(ReadOnlyMemory<byte> data)
    {
        var fields = new List<ProtoField>();
        var span = data.Span;
        var i = 0;
        while (i < span.Length)
        {
            var key = ReadVarint(span, ref i);
            var number = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add(new ProtoField(number, 0, ReadVarint(span, ref i), default));
                    break;
                case 1:
                    fields.Add(new ProtoField(number, 1, BinaryPrimitives.ReadUInt64LittleEndian(span[i..]), data.Slice(i, 8)));
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref i);
                    fields.Add(new ProtoField(number, 2, 0, data.Slice(i, length)));
                    i += length;
                    break;
                case 5:
                    fields.Add(new ProtoField(number, 5, BinaryPrimitives.ReadUInt32LittleEndian(span[i..]), data.Slice(i, 4)));
                    i += 4;
                    break;
                default:
                    throw new FormatException($"wire type {wireType} of field {number} is not one OTLP uses");
            }
        }

        return new ProtoMessage(fields);
    }

    public IEnumerable<ProtoField> All(int number) => _fields.Where(f => f.Number == number);

    public IEnumerable<ProtoMessage> Messages(int number) => All(number).Select(f => f.Message);

    public ProtoField? One(int number) => _fields.LastOrDefault(f => f.Number == number) is { Number: > 0 } field ? field : null;

    public string String(int number) => One(number)?.Text ?? "";

    public string Hex(int number) => One(number) is { } field ? Convert.ToHexStringLower(field.Bytes.Span) : "";

    public ulong Scalar(int number) => One(number)?.Scalar ?? 0;

    /// <summary>OTLP attributes (<c>repeated KeyValue</c>, KeyValue = key 1, AnyValue 2) as text: strings, ints, doubles, bools.</summary>
    public Dictionary<string, string> Attributes(int number)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Messages(number))
        {
            var value = pair.One(2)?.Message;
            attributes[pair.String(1)] = value?.One(1) is { } text ? text.Text
                : value?.One(3) is { } integer ? ((long)integer.Scalar).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : value?.One(4) is { } real ? real.Double.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : value?.One(2) is { } flag ? (flag.Scalar != 0 ? "true" : "false")
                : "";
        }

        return attributes;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
