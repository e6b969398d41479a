using Switchyard.FakeProvider.Anthropic;
using Switchyard.FakeProvider.Azure;
using Switchyard.FakeProvider.Bedrock;
using Switchyard.FakeProvider.Cohere;
using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Gemini;
using Switchyard.FakeProvider.Journal;
using Switchyard.FakeProvider.OpenAi;

namespace Switchyard.FakeProvider.Hosting;

/// <summary>The one way the fake is built, whether run alone or started inside a test.</summary>
internal static class FakeProviderApp
{
    public const string DefaultUrl = "http://127.0.0.1:9000";

    public static WebApplication Build(string url, RequestJournal journal, ScenarioCounter scenarios)
    {
        // The empty builder reads no appsettings or environment variables: a test's output
        // folder may hold another app's settings (Kestrel endpoints, log levels) that must not
        // leak into the fake.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls(url);

        // Inline scheduling makes a flush hand the bytes to the socket before it returns. Without
        // it, cut-after and stall-after abort while the chunks still sit in Kestrel's pipe and
        // the client gets a reset before any of them. The handlers never block, so running them
        // on socket threads is safe here.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        // Stalled streams wait for up to a minute; stopping should not.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));

        var app = builder.Build();
        var intake = new RequestIntake(journal, scenarios, TimeProvider.System, app.Lifetime.ApplicationStopping);
        var routes = new RouteTable(
            [
                .. OpenAiRoutes.All,
                .. AnthropicRoutes.All,
                .. GeminiRoutes.All,
                .. CohereRoutes.All,
                .. BedrockRoutes.All,
                .. AzureRoutes.All,
            ],
            OpenAiRoutes.NotFoundAsync,
            OpenAiRoutes.MethodNotAllowedAsync);
        var control = new ControlApi(journal, scenarios);

        app.Map(new PathString(ControlApi.PathPrefix), branch => branch.Run(control.HandleAsync));
        app.Use(intake.InvokeAsync);
        app.Run(routes.DispatchAsync);
        return app;
    }
}
