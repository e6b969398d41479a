using System.Net;
using System.Net.Sockets;

namespace Switchyard.Testing;

/// <summary>
/// Loopback ports for a process a test starts and that binds them itself (a silo's Orleans ports, a replica's HTTP port).
/// A port from the kernel's port 0 is in the ephemeral range, so between the test releasing it and the process binding it
/// any outgoing connection on the machine may take it as its local port. These come from below that range
/// (20000–32767), never twice in one test process, starting at a place set by the process id so that test assemblies
/// running side by side start far apart, and each is checked free by binding it.
/// </summary>
public static class ListeningPorts
{
    private const int First = 20000;
    private const int Count = 32768 - First;
    private static readonly Lock Gate = new();
    private static int _next = Environment.ProcessId * 97 % Count;

    public static int Next()
    {
        lock (Gate)
        {
            for (var tried = 0; tried < Count; tried++)
            {
                var port = First + (_next++ % Count);
                if (IsFree(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}–{First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
