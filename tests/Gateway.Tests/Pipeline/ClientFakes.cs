using System.IO.Pipelines;
using System.Text;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects;
using Switchyard.Providers.Dialects.OpenAi;

namespace Switchyard.Gateway.Tests.Pipeline;

/// <summary>A client's request held in memory: a JSON body (or one that never ends), headers, and an abort switch.</summary>
internal sealed class FakeClientRequest : IClientRequest
{
    private readonly Pipe? _openBody;
    private readonly byte[] _body;

    public FakeClientRequest(string body, (string Name, string Value)[] headers, bool bodyNeverEnds = false)
    {
        _body = Encoding.UTF8.GetBytes(body);
        Headers = new FakeHeaders(headers);
        if (bodyNeverEnds)
        {
            // The pipe is never completed: a read waits until the client goes away.
            _openBody = new Pipe();
        }
    }

    public CancellationTokenSource Abort { get; } = new();

    public string Path { get; init; } = "/v1/chat/completions";

    public string? ContentType { get; init; } = "application/json";

    public long? ContentLength => _openBody is null ? _body.Length : null;

    public IRequestHeaders Headers { get; }

    public PipeReader Body => _openBody?.Reader ?? PipeReader.Create(new MemoryStream(_body));

    public CancellationToken Aborted => Abort.Token;

    public int StatusOf(IOException readFailure) => 400;

    public string? ClientAddress { get; init; }
}

/// <summary>Request headers by name, compared case-insensitively.</summary>
internal sealed class FakeHeaders((string Name, string Value)[] headers) : IRequestHeaders
{
    public string? this[string name] => headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public IEnumerable<KeyValuePair<string, string>> All => headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
}

/// <summary>Keeps everything the gateway sends the client: status, headers (last value wins), body bytes, and when it started and flushed.</summary>
internal sealed class RecordingResponse : IClientResponse
{
    private readonly MemoryStream _body = new();

    public bool HasStarted { get; private set; }

    public int StatusCode { get; set; } = 200;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int Flushes { get; private set; }

    public string Body => Encoding.UTF8.GetString(_body.ToArray());

    public void SetHeader(string name, string value) => Headers[name] = value;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        HasStarted = true;
        return Task.CompletedTask;
    }

    public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        HasStarted = true;
        _body.Write(bytes.Span);
        return Task.CompletedTask;
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        Flushes++;
        return Task.CompletedTask;
    }
}

/// <summary>Calls built straight from a body, for steps tested on their own (the pipeline's earlier steps skipped).</summary>
internal static class TestCalls
{
    public static GatewayCall Chat(string body, IClientDialect? dialect = null, RecordingResponse? response = null, params (string Name, string Value)[] headers)
    {
        var request = new FakeClientRequest(body, headers);
        return new GatewayCall(ApiOperation.ChatCompletions, dialect ?? OpenAiDialect.Instance, request, response ?? new RecordingResponse(), 0)
        {
            Body = RequestBodyReader.Read(Encoding.UTF8.GetBytes(body), 64),
        };
    }

    public static string ChatBody(string model, int? maxTokens = null, bool stream = false) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]{{(maxTokens is { } m ? $",\"max_tokens\":{m}" : "")}}{{(stream ? ",\"stream\":true" : "")}}}""";
}
