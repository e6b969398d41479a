using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Gateway.Tests.Upstream;

/// <summary>
/// A provider on a loopback port that answers each request with the next scripted HTTP/1.1 response, one per
/// connection (<see cref="Switchyard.Gateway.Upstream.UpstreamClient"/> owns its socket handler, so no message handler can stand in).
/// A null answer holds the connection open without answering.
/// </summary>
internal sealed class LoopbackProvider : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<string?> _answers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Task _serving;

    public LoopbackProvider(params string?[] answers)
    {
        _answers = new Queue<string?>(answers);
        _listener.Start();
        _serving = ServeAsync();
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1";

    /// <summary>Requests received so far.</summary>
    public int Requests { get; private set; }

    /// <summary>Completes when a request that is held without an answer has arrived.</summary>
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static string Json(int status, string body, string extraHeaders = "") =>
        $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n{extraHeaders}\r\n{body}";

    public static string EventStream(string events) =>
        $"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {Encoding.UTF8.GetByteCount(events)}\r\nConnection: close\r\n\r\n{events}";

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                await ReadRequestAsync(stream);
                Requests++;
                var answer = _answers.Count > 0 ? _answers.Dequeue() : Json(500, "{}");
                if (answer is null)
                {
                    _held.Add(client);
                    Holding.TrySetResult();
                    continue;
                }

                await stream.WriteAsync(Encoding.UTF8.GetBytes(answer), _stop.Token);
                client.Dispose();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads the head and the Content-Length body of one request.</summary>
    private async Task ReadRequestAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray());
        var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        while (received.Count < headEnd + 4 + length)
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static int IndexOfHeadEnd(List<byte> received)
    {
        for (var i = 0; i + 3 < received.Count; i++)
        {
            if (received[i] == '\r' && received[i + 1] == '\n' && received[i + 2] == '\r' && received[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        foreach (var client in _held)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
