using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Switchyard.FrontDoor.Http;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Intake;

namespace Switchyard.FrontDoor.Tests.Http;

/// <summary>
/// A client that stops sending before the Content-Length it declared (a load generator stopping mid-request, a dropped
/// mobile connection): Kestrel reports it as a <see cref="BadHttpRequestException"/>. That is the client's mistake, a
/// 400, never an "unhandled failure" 500 logged as an error. (Over a real socket the client has usually hung up by then,
/// so which of these paths runs is a race; both are pinned here.)
/// </summary>
public sealed class TruncatedBodyTests
{
    [Fact]
    public async Task RequestBody_EndsBeforeItsContentLength_IsA400GatewayError()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = 100;
        context.Features.Set<IRequestBodyPipeFeature>(new BrokenBody());

        var error = await Assert.ThrowsAsync<GatewayException>(() => RequestIntake.ReadBodyAsync(new HttpClientRequest(context.Request), 1 << 20, default));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal("The request body could not be read: Unexpected end of request content. Send the whole body that Content-Length declares.", error.Message);
    }

    [Fact]
    public async Task Middleware_KestrelRefusesTheRequest_AnswersItsStatusInTheGatewayShape_AndLogsNoError()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var middleware = new UnmatchedRouteMiddleware(_ => throw new BadHttpRequestException("Unexpected end of request content.", 400), factory.CreateLogger<UnmatchedRouteMiddleware>());
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/admin/workspaces";
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(400, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var json = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("The request could not be read: Unexpected end of request content.", json.RootElement.GetProperty("message").GetString());
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.StartsWith("Debug", StringComparison.Ordinal) && line.Contains("Bad request on POST /v1/admin/workspaces: 400", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("timeout")]
    public async Task Middleware_ClusterUnreachable_Answers503WithRetryAfter_AndLogsAWarning(string failure)
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        Exception thrown = failure == "silo" ? new Orleans.Runtime.SiloUnavailableException("The silo is gone.") : new TimeoutException("Response did not arrive on time.");
        var middleware = new UnmatchedRouteMiddleware(_ => throw thrown, factory.CreateLogger<UnmatchedRouteMiddleware>());
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/v1/cache/stats";
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var json = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        Assert.Equal($"The cluster could not be reached ({thrown.GetType().Name}); retry in a moment.", json.RootElement.GetProperty("message").GetString());
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("GET /v1/cache/stats", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Middleware_AnyOtherFailure_IsA500InTheGatewayShape()
    {
        var middleware = new UnmatchedRouteMiddleware(_ => throw new InvalidOperationException("a bug"), LoggerFactory.Create(_ => { }).CreateLogger<UnmatchedRouteMiddleware>());
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await middleware.InvokeAsync(context);

        Assert.Equal(500, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        Assert.Equal("Something went wrong inside the gateway; the error is logged.", (await JsonDocument.ParseAsync(context.Response.Body)).RootElement.GetProperty("message").GetString());
    }

    /// <summary>A request body whose first read fails as Kestrel's does when the connection ends early.</summary>
    private sealed class BrokenBody : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = new Failing();

        private sealed class Failing : PipeReader
        {
            public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
                ValueTask.FromException<ReadResult>(new BadHttpRequestException("Unexpected end of request content.", 400));

            public override bool TryRead(out ReadResult result) => throw new NotSupportedException();

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
}
