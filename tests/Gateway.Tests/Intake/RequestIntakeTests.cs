using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Tests.Pipeline;
using Switchyard.Providers;
using Switchyard.Providers.Dialects.OpenAi;

namespace Switchyard.Gateway.Tests.Intake;

public sealed class RequestIntakeTests
{
    private static readonly RequestIntake Intake = new(Options.Create(new GatewayOptions { MaxRequestBodyBytes = 64 }));

    private static GatewayCall Call(IClientRequest request, ApiOperation operation = ApiOperation.ChatCompletions) =>
        new(operation, OpenAiDialect.Instance, request, new RecordingResponse(), 0);

    [Fact]
    public async Task ReadAsync_JsonBody_ReadsItsRoutingFields()
    {
        var call = Call(new FakeClientRequest("""{"model":"m","stream":true}""", []));

        await Intake.ReadAsync(call);

        Assert.Equal("m", call.Body.Model);
        Assert.True(call.Body.Stream);
    }

    [Fact]
    public async Task ReadAsync_OperationWithoutBody_ReadsNothing()
    {
        var call = Call(new FakeClientRequest("not json", []) { ContentType = null }, ApiOperation.Models);

        await Intake.ReadAsync(call);

        Assert.Equal(0, call.Body.Utf8.Length);
    }

    [Theory]
    [InlineData(null, "Invalid content type passed: '(none)'. Send the body as JSON with the header Content-Type: application/json.")]
    [InlineData("text/plain", "Invalid content type passed: 'text/plain'. Send the body as JSON with the header Content-Type: application/json.")]
    public async Task ReadAsync_NotJson_IsA400(string? contentType, string message)
    {
        var refusal = await Assert.ThrowsAsync<GatewayException>(() => Intake.ReadAsync(Call(new FakeClientRequest("{}", []) { ContentType = contentType })));

        Assert.Equal(GatewayErrorKind.InvalidRequest, refusal.Kind);
        Assert.Equal(400, refusal.StatusCode);
        Assert.Equal(message, refusal.Message);
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverTheLimit_IsA413BeforeReading()
    {
        var refusal = await Assert.ThrowsAsync<GatewayException>(() => Intake.ReadAsync(Call(new ThrowingRequest(400) { ContentLength = 65 })));

        Assert.Equal(413, refusal.StatusCode);
        Assert.Equal("The request body is larger than 64 bytes; send less (the limit is Switchyard:Gateway:MaxRequestBodyBytes).", refusal.Message);
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOverTheLimit_IsA413()
    {
        var body = $$"""{"model":"{{new string('m', 80)}}"}""";
        var refusal = await Assert.ThrowsAsync<GatewayException>(() => Intake.ReadAsync(Call(new ChunkedRequest(body))));

        Assert.Equal(GatewayErrorKind.RequestTooLarge, refusal.Kind);
        Assert.Equal(413, refusal.StatusCode);
    }

    [Theory]
    [InlineData(400, GatewayErrorKind.InvalidRequest)]
    [InlineData(408, GatewayErrorKind.RequestTimeout)]
    [InlineData(413, GatewayErrorKind.RequestTooLarge)]
    public async Task ReadAsync_ServerCannotReadTheBody_IsItsVerdict(int status, GatewayErrorKind kind)
    {
        var refusal = await Assert.ThrowsAsync<GatewayException>(() => Intake.ReadAsync(Call(new ThrowingRequest(status))));

        Assert.Equal(kind, refusal.Kind);
        Assert.Equal(status, refusal.StatusCode);
        Assert.Equal("The request body could not be read: the client hung up. Send the whole body that Content-Length declares.", refusal.Message);
    }

    /// <summary>A body the server fails to read, with its verdict on why.</summary>
    private sealed class ThrowingRequest(int status) : IClientRequest
    {
        public string Path => "/v1/chat/completions";

        public string? ContentType => "application/json";

        public long? ContentLength { get; init; }

        public IRequestHeaders Headers { get; } = new FakeHeaders([]);

        public PipeReader Body => new FailingReader();

        public CancellationToken Aborted => default;

        public int StatusOf(IOException readFailure) => status;
    }

    /// <summary>A body sent without Content-Length.</summary>
    private sealed class ChunkedRequest(string body) : IClientRequest
    {
        public string Path => "/v1/chat/completions";

        public string? ContentType => "application/json; charset=utf-8";

        public long? ContentLength => null;

        public IRequestHeaders Headers { get; } = new FakeHeaders([]);

        public PipeReader Body => PipeReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(body)));

        public CancellationToken Aborted => default;

        public int StatusOf(IOException readFailure) => 400;
    }

    private sealed class FailingReader : PipeReader
    {
        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => throw new IOException("the client hung up.");

        public override bool TryRead(out ReadResult result) => throw new IOException("the client hung up.");

        public override void AdvanceTo(SequencePosition consumed)
        {
        }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
        }

        public override void CancelPendingRead()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
