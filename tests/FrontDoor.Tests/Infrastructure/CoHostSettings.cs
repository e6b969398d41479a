using System.Globalization;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>
/// Settings that make a front door on a database a silo too (co-host mode), on Orleans ports of its own, so a test host
/// needs no separate silo process.
/// </summary>
public static class CoHostSettings
{
    public static Dictionary<string, string> Fresh() => new()
    {
        ["Switchyard:Cluster:CoHost"] = "true",
        ["Switchyard:Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Switchyard:Cluster:SiloPort"] = FreePort(),
        ["Switchyard:Cluster:GatewayPort"] = FreePort(),
    };

    /// <summary>Adds or replaces settings, for building a fixture's settings in one expression.</summary>
    public static Dictionary<string, string> With(this Dictionary<string, string> settings, IReadOnlyDictionary<string, string> more)
    {
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return settings;
    }

    public static Dictionary<string, string> With(this Dictionary<string, string> settings, string name, string value)
    {
        settings[name] = value;
        return settings;
    }

    private static string FreePort() => ListeningPorts.Next().ToString(CultureInfo.InvariantCulture);
}
