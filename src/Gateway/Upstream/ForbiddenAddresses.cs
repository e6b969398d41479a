using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Switchyard.Gateway.Upstream;

/// <summary>
/// The address ranges a custom host must not reach: anything that is not an ordinary public
/// unicast address, plus the cloud metadata services that live at well-known addresses.
/// </summary>
internal static class ForbiddenAddresses
{
    // Metadata services hand out instance credentials, so they get their own message even where a
    // broader range (link-local, CGNAT, unique-local) would already refuse them.
    private static readonly HashSet<uint> MetadataV4 =
    [
        Pack(169, 254, 169, 254), // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack
        Pack(169, 254, 170, 2),   // AWS ECS task metadata
        Pack(169, 254, 170, 23),  // AWS EKS pod identity
        Pack(100, 100, 100, 200), // Alibaba Cloud
        Pack(168, 63, 129, 16),   // Azure WireServer: public space, reachable only from inside Azure
    ];

    private static readonly IPAddress[] MetadataV6 =
    [
        IPAddress.Parse("fd00:ec2::254"), // AWS IMDS over IPv6
        IPAddress.Parse("fd00:ec2::23"),  // AWS EKS pod identity over IPv6
        IPAddress.Parse("fd20:ce::254"),  // GCP metadata over IPv6
    ];

    /// <summary>
    /// Says why <paramref name="address"/> is forbidden ("a private address", …), or null when it
    /// is an ordinary public address.
    /// </summary>
    public static string? Describe(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => DescribeV4(BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes())),
            AddressFamily.InterNetworkV6 => DescribeV6(address.GetAddressBytes()),
            _ => "an address of an unsupported family",
        };
    }

    private static string? DescribeV4(uint a)
    {
        if (MetadataV4.Contains(a))
        {
            return "a cloud metadata address";
        }

        return a switch
        {
            _ when In(a, 0, 0, 0, 0, 8) => "an unspecified address",
            _ when In(a, 10, 0, 0, 0, 8) => "a private address",
            _ when In(a, 100, 64, 0, 0, 10) => "a shared (CGNAT) address",
            _ when In(a, 127, 0, 0, 0, 8) => "a loopback address",
            _ when In(a, 169, 254, 0, 0, 16) => "a link-local address",
            _ when In(a, 172, 16, 0, 0, 12) => "a private address",
            _ when In(a, 192, 0, 0, 0, 24) => "a reserved address",
            _ when In(a, 192, 0, 2, 0, 24) => "a documentation address",
            _ when In(a, 192, 88, 99, 0, 24) => "a reserved address",
            _ when In(a, 192, 168, 0, 0, 16) => "a private address",
            _ when In(a, 198, 18, 0, 0, 15) => "a reserved address",
            _ when In(a, 198, 51, 100, 0, 24) => "a documentation address",
            _ when In(a, 203, 0, 113, 0, 24) => "a documentation address",
            _ when In(a, 224, 0, 0, 0, 4) => "a multicast address",
            uint.MaxValue => "a broadcast address",
            _ when In(a, 240, 0, 0, 0, 4) => "a reserved address",
            _ => null,
        };
    }

    private static string? DescribeV6(byte[] b)
    {
        var address = new IPAddress(b);
        if (Array.IndexOf(MetadataV6, address) >= 0)
        {
            return "a cloud metadata address";
        }

        if (address.Equals(IPAddress.IPv6None))
        {
            return "an unspecified address";
        }

        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "a loopback address";
        }

        // IPv6 forms that carry an IPv4 address are judged by that address, so ::ffff:10.0.0.1,
        // 64:ff9b::10.0.0.1 or 2002:0a00:0001:: cannot smuggle a private IPv4 target past the rules.
        if (StartsWithZeros(b, 10) && b[10] == 0xff && b[11] == 0xff)
        {
            return Embedded(b, 12, "IPv4-mapped");
        }

        if (StartsWithZeros(b, 12))
        {
            // IPv4-compatible addresses are deprecated (RFC 4291), so even a public one is refused.
            return Embedded(b, 12, "IPv4-compatible") ?? "a reserved (IPv4-compatible) address";
        }

        if (StartsWithZeros(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            return Embedded(b, 12, "IPv4-translated") ?? "a reserved (IPv4-translated) address";
        }

        if (Prefix(b, 0x00, 0x64, 0xff, 0x9b) && StartsWithZeros(b[4..], 8))
        {
            return Embedded(b, 12, "NAT64");
        }

        if (Prefix(b, 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01))
        {
            return "a reserved (local NAT64) address";
        }

        if (Prefix(b, 0x20, 0x02))
        {
            return Embedded(b, 2, "6to4");
        }

        if (Prefix(b, 0x20, 0x01, 0x00, 0x00))
        {
            // Teredo: the server address is in clear, the client address is stored inverted.
            var client = new byte[4];
            for (var i = 0; i < 4; i++)
            {
                client[i] = (byte)~b[12 + i];
            }

            return Embedded(b, 4, "Teredo server") ?? Embedded(client, 0, "Teredo client");
        }

        if (Prefix(b, 0x20, 0x01, 0x0d, 0xb8))
        {
            return "a documentation address";
        }

        return b[0] switch
        {
            0xff => "a multicast address",
            0xfc or 0xfd => "a unique-local address",
            0xfe when (b[1] & 0xc0) == 0x80 => "a link-local address",
            0xfe when (b[1] & 0xc0) == 0xc0 => "a site-local address",
            // Everything outside 2000::/3 is unassigned or special-purpose (100::/64 discard, …).
            _ when (b[0] & 0xe0) != 0x20 => "a reserved address",
            _ => null,
        };
    }

    private static string? Embedded(byte[] bytes, int offset, string form)
    {
        var v4 = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset, 4));
        var kind = DescribeV4(v4);
        return kind is null ? null : $"{kind} ({new IPAddress(bytes.AsSpan(offset, 4))} embedded in {form} form)";
    }

    private static bool StartsWithZeros(ReadOnlySpan<byte> bytes, int count) => !bytes[..count].ContainsAnyExcept((byte)0);

    private static bool Prefix(ReadOnlySpan<byte> bytes, params ReadOnlySpan<byte> prefix) => bytes.StartsWith(prefix);

    private static bool In(uint address, byte a, byte b, byte c, byte d, int prefixLength)
    {
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        return (address & mask) == (Pack(a, b, c, d) & mask);
    }

    private static uint Pack(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;
}
