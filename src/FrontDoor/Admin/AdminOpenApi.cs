using Switchyard.FrontDoor.Bootstrap;
using YamlDotNet.RepresentationModel;

namespace Switchyard.FrontDoor.Admin;

/// <summary>
/// The admin API's OpenAPI 3.1 document, served at <c>/v1/openapi.json</c> and <c>/openapi.json</c> without
/// authentication (it describes the API, it holds no data). It is written by hand in <c>openapi.yaml</c> (embedded)
/// and converted to JSON once; a test checks it names exactly the admin routes the app maps.
/// </summary>
internal static class AdminOpenApi
{
    private static readonly Lazy<string> Document = new(Load);

    public static IEndpointRouteBuilder MapAdminOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/openapi.json", Serve);
        app.MapGet("/openapi.json", Serve);
        return app;
    }

    private static IResult Serve() => TypedResults.Text(Document.Value, "application/json");

    internal static string Load()
    {
        using var stream = typeof(AdminOpenApi).Assembly.GetManifestResourceStream("Switchyard.FrontDoor.Admin.openapi.yaml")
            ?? throw new InvalidOperationException("The embedded admin OpenAPI document is missing.");
        using var reader = new StreamReader(stream);
        var yaml = new YamlStream();
        yaml.Load(reader);
        return YamlJson.ToJson(yaml.Documents[0].RootNode, string.Empty)!.ToJsonString();
    }
}
