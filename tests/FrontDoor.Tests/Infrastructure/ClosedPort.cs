using System.Net;
using System.Net.Sockets;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>A loopback URL on which nothing listens, for connection-refused cases.</summary>
internal static class ClosedPort
{
    public static string Url()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }
}
