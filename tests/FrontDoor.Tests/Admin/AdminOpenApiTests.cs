using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.FrontDoor.Admin;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>The served OpenAPI document describes exactly the admin routes the app maps.</summary>
public sealed class AdminOpenApiTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task OpenApi_DocumentsEveryAdminRouteAndNothingElse()
    {
        using var response = await fixture.Client.GetAsync("/v1/openapi.json");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal("3.1.0", root.GetProperty("openapi").GetString());
        Assert.Equal("/v1", root.GetProperty("servers")[0].GetProperty("url").GetString());

        var documented = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                documented.Add($"{operation.Name.ToUpperInvariant()} /v1{path.Name}");
                Assert.True(operation.Value.TryGetProperty("responses", out var responses) && responses.TryGetProperty("200", out _), $"{path.Name} {operation.Name}: no 200 response");
            }
        }

        var mapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in fixture.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<AdminApiRoute>() is null)
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods)
            {
                mapped.Add($"{method} {endpoint.RoutePattern.RawText!.TrimEnd('/')}");
            }
        }

        Assert.True(mapped.Count >= 20, $"only {mapped.Count} admin routes found");
        Assert.Equal(mapped, documented);

        // Every $ref resolves.
        var text = root.GetRawText();
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text, "\"#/components/([a-zA-Z]+)/([A-Za-z]+)\""))
        {
            Assert.True(root.GetProperty("components").GetProperty(match.Groups[1].Value).TryGetProperty(match.Groups[2].Value, out _), match.Value);
        }

        using var bare = await fixture.Client.GetAsync("/openapi.json");
        Assert.Equal(text, JsonDocument.Parse(await bare.Content.ReadAsStringAsync()).RootElement.GetRawText());
    }
}
