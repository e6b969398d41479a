using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchyard.Gateway.Intake;
using Switchyard.Providers.Streaming;

namespace Switchyard.Gateway.Upstream;

/// <summary>
/// Sends one attempt to a provider over one pooled <see cref="SocketsHttpHandler"/> (no redirects, cookies,
/// proxy or decompression on the hot path) and reports how it ended as an <see cref="UpstreamOutcome"/>.
/// Cancellation (client gone, attempt timed out) is the one thing it throws.
/// </summary>
internal sealed partial class UpstreamClient : IDisposable
{
    private static readonly HttpRequestOptionsKey<bool> CustomHostKey = new("switchyard.custom-host");
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpMessageInvoker _invoker;
    private readonly CustomHostPolicy _customHosts;
    private readonly ILogger<UpstreamClient> _logger;

    public UpstreamClient(CustomHostPolicy customHosts, ILogger<UpstreamClient> logger)
    {
        _customHosts = customHosts;
        _logger = logger;
        // RS0030: the one connection pool every provider call goes through (BannedSymbols.Product.txt sends callers here).
#pragma warning disable RS0030
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            EnableMultipleHttp2Connections = true,
            ConnectCallback = ConnectAsync,
        };
#pragma warning restore RS0030
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task<UpstreamOutcome> SendAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(request.Method, request.Uri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (request.Method != HttpMethod.Get)
        {
            message.Content = new ReadOnlyMemoryContent(request.Body);
            message.Content.Headers.ContentType = JsonContentType;
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.IsCustomHost)
        {
            message.Options.Set(CustomHostKey, true);
        }

        HttpResponseMessage response;
        try
        {
            response = await _invoker.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(_logger, request.ProviderSlug, request.Uri.Authority, ex.Message);
            return UpstreamOutcome.Failed($"could not reach {request.ProviderSlug} at {request.Uri.Authority}: {ex.Message}");
        }

        try
        {
            var status = (int)response.StatusCode;
            var json = IsJson(response);
            // A stream answers with its own framing (SSE, AWS event stream); a JSON body is a provider that answered without streaming.
            if (request.Stream && status is >= 200 and < 300 && !json)
            {
                return await ReadFirstEventAsync(request, response, cancellationToken);
            }

            var body = await ReadBodyAsync(response.Content, cancellationToken);
            if (status is >= 200 and < 300 && json && !JsonShape.IsValid(body))
            {
                response.Dispose();
                return UpstreamOutcome.Invalid($"{request.ProviderSlug} answered {status} with a body that is not valid JSON");
            }

            return UpstreamOutcome.Answered(response, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            response.Dispose();
            return UpstreamOutcome.Failed($"{request.ProviderSlug} broke off its response: {ex.Message}");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task<UpstreamOutcome> ReadFirstEventAsync(UpstreamRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var events = request.Adapter.OpenStream(await response.Content.ReadAsStreamAsync(cancellationToken));
        try
        {
            var first = await events.ReadAsync(cancellationToken);
            if (first is null)
            {
                throw new StreamProtocolException("the upstream stream ended before its first event");
            }

            if (!first.IsDone && !JsonShape.IsValid(first.Data))
            {
                throw new StreamProtocolException("the upstream stream's first event is not valid JSON");
            }

            return UpstreamOutcome.Streaming(response, events, first);
        }
        catch (StreamProtocolException ex)
        {
            await events.DisposeAsync();
            response.Dispose();
            return UpstreamOutcome.Invalid($"{request.ProviderSlug}: {ex.Message}");
        }
        catch
        {
            await events.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The whole body. With a Content-Length (the usual JSON answer) it is read straight into an array of that size;
    /// <see cref="HttpContent.ReadAsByteArrayAsync()"/> would buffer it in a growing pool stream and copy it out.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is not { } length || length > MaxExactBody)
        {
            return await content.ReadAsByteArrayAsync(cancellationToken);
        }

        var body = new byte[length];
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        await stream.ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    /// <summary>Largest declared length read into one array up front; beyond it the body is buffered as it arrives.</summary>
    private const long MaxExactBody = 16 * 1024 * 1024;

    /// <summary>Whether the answer is JSON, read from the header as sent (no <c>MediaTypeHeaderValue</c> parsed per call).</summary>
    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) && values.Count > 0 && MediaType.IsAnyJson(values.ToString());

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);

        // A custom host passed the name check; here its resolved addresses are checked too, so DNS cannot point it inward.
        if (context.InitialRequestMessage.Options.TryGetValue(CustomHostKey, out var isCustomHost) && isCustomHost
            && !_customHosts.IsAllowListed(endpoint.Host)
            && Array.Find(addresses, _customHosts.IsForbiddenAddress) is { } forbidden)
        {
            throw new HttpRequestException($"custom host {endpoint.Host} resolves to a forbidden address ({forbidden})");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _invoker.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call to {Provider} at {Authority} failed: {Problem}")]
    private static partial void LogSendFailed(ILogger logger, string provider, string authority, string problem);
}
