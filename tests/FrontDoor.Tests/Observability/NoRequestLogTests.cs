using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.FrontDoor.Tests.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;
using Switchyard.State;

namespace Switchyard.FrontDoor.Tests.Observability;

/// <summary>A host that registered no request-log store: every log, export, feedback and analytics read says so.</summary>
public sealed class NoRequestLogTests(NoRequestLogTests.Fixture fixture) : IClassFixture<NoRequestLogTests.Fixture>
{
    public sealed class Fixture : GatewayFixture
    {
        protected override void ConfigureServices(IServiceCollection services) => services.RemoveAll<IRequestLogStore>();
    }

    [Theory]
    [InlineData("/v1/logs")]
    [InlineData("/v1/logs/0190f0f0f0f07000800000000000000a")]
    [InlineData("/v1/logs/traces/trace-1")]
    [InlineData("/v1/logs/exports")]
    [InlineData("/v1/logs/exports/exp-1")]
    [InlineData("/v1/analytics/graphs/requests?time_of_generation_min=2026-12-01T00:00:00Z&time_of_generation_max=2026-12-02T00:00:00Z")]
    public async Task Read_NoRequestLogOnThisGateway_SaysSo(string path)
    {
        var admin = new AdminCalls(fixture.Client, GatewayFixture.AdminToken);

        var failure = (await admin.Get(path)).Failure(HttpStatusCode.InternalServerError, "AB04");

        Assert.Equal("No request log is configured on this gateway.", failure.Str("message"));
    }

    [Fact]
    public async Task FeedbackUpdate_NoRequestLogOnThisGateway_SaysSo()
    {
        var admin = new AdminCalls(fixture.Client, GatewayFixture.AdminToken);

        var failure = (await admin.Put("/v1/feedback/fb-1", """{"value":1}""")).Failure(HttpStatusCode.InternalServerError, "AB04");

        Assert.Equal("No request log is configured on this gateway.", failure.Str("message"));
    }
}
