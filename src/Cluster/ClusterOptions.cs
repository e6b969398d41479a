using System.Net;

namespace Switchyard.Cluster;

/// <summary>
/// How a process joins the Orleans cluster, bound from <c>Switchyard:Cluster</c> (docs/deployment.md, <i>Cluster settings</i>).
/// The same settings serve silos (<c>src/Silo</c>) and front doors (<c>src/FrontDoor</c>).
/// </summary>
public sealed class SwitchyardClusterOptions
{
    public const string Section = "Switchyard:Cluster";

    /// <summary>The port silos talk to each other on. Default 11111. The embedded default picks a free one unless set.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port front doors (Orleans clients) reach a silo on. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Names this deployment's cluster in the membership table; processes with another id never join it. Default <c>switchyard</c>.</summary>
    public string ClusterId { get; set; } = "switchyard";

    /// <summary>Names the service whose grain state this is; keep it across deployments (a new one starts with empty grain state). Default <c>switchyard</c>.</summary>
    public string ServiceId { get; set; } = "switchyard";

    /// <summary>The address other processes reach this silo on. Default: the pod IP on Kubernetes, else the first non-loopback IPv4 address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Makes a front door a silo too (one Deployment for small clusters). Default false: a front door is a client of separate silos.</summary>
    public bool CoHost { get; set; }

    /// <summary>
    /// How long a silo waits for a probe answer before counting it missed. Default 1 s (Orleans: 5 s); with
    /// <see cref="MissedProbesLimit"/> 2, a dead silo is declared dead in about 3 s instead of 30–60 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes after which a silo suspects another. Default 2 (Orleans: 3).</summary>
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>How long a grain call may take before it fails. Default 3 s (Orleans: 30 s): a call to a silo that died fails fast and the grain reactivates elsewhere.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often a front door reads the silo gateways from the membership table. Default 1 s (Orleans: 1 min): one small
    /// query a second per front door, and a dead or frozen silo's gateway is dropped soon after it is voted out (measured:
    /// a frozen silo's grain answered again after 11.9 s with 1 s, 15.9 s with 5 s).
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most PostgreSQL connections Orleans may open in a silo (membership, grain state). Default 8; a front door that
    /// is only a client uses at most 2. Every silo, front door and the migration share the server's
    /// <c>max_connections</c> (100 by default).
    /// </summary>
    public int MaxPoolSize { get; set; } = 8;

    internal IPAddress ResolveAdvertisedAddress()
    {
        if (AdvertisedAddress is { Length: > 0 } configured)
        {
            return IPAddress.TryParse(configured, out var parsed)
                ? parsed
                : Dns.GetHostAddresses(configured).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    ?? throw new InvalidOperationException($"Switchyard:Cluster:AdvertisedAddress '{configured}' resolves to no IPv4 address.");
        }

        if (Environment.GetEnvironmentVariable("POD_IP") is { Length: > 0 } pod && IPAddress.TryParse(pod, out var podIp))
        {
            return podIp;
        }

        return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
    }

    internal void Validate()
    {
        if (SiloPort is < 0 or > 65535 || GatewayPort is < 0 or > 65535)
        {
            throw new InvalidOperationException("Switchyard:Cluster:SiloPort and GatewayPort must be ports (0–65535).");
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException("Switchyard:Cluster:ClusterId and ServiceId must not be empty.");
        }

        if (ProbeTimeout <= TimeSpan.Zero || ResponseTimeout <= TimeSpan.Zero || GatewayListRefreshPeriod <= TimeSpan.Zero || MissedProbesLimit < 1 || MaxPoolSize < 2)
        {
            throw new InvalidOperationException("Switchyard:Cluster: ProbeTimeout, ResponseTimeout and GatewayListRefreshPeriod must be positive, MissedProbesLimit at least 1, MaxPoolSize at least 2.");
        }
    }
}
