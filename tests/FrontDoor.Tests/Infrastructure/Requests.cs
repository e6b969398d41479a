using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchyard.FrontDoor.Tests.Infrastructure;

/// <summary>Builds gateway requests the way clients send them.</summary>
internal static class Requests
{
    public const string ProviderKey = "sk-test-provider-key";

    /// <summary>A unique scenario id, so FakeProvider counters and journal entries never mix between tests.</summary>
    public static string NewScenario() => Guid.NewGuid().ToString("N")[..12];

    public static string ChatBody(string model, string text = "hello there", bool stream = false, string extra = "") =>
        $$"""{"model":{{JsonSerializer.Serialize(model)}},"messages":[{"role":"user","content":{{JsonSerializer.Serialize(text)}}}]{{(stream ? ",\"stream\":true" : "")}}{{extra}}}""";

    public static HttpRequestMessage Chat(string model, string text = "hello there", bool stream = false, string extra = "") =>
        Post("/v1/chat/completions", ChatBody(model, text, stream, extra));

    public static HttpRequestMessage Post(string path, string body, string contentType = "application/json") =>
        new(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)) };

    /// <summary>Portkey's simplest form: a provider header, the provider key as bearer, and the FakeProvider as custom host.</summary>
    public static HttpRequestMessage ToFake(this HttpRequestMessage request, GatewayFixture fixture, string provider = "openai")
    {
        request.Headers.Add("x-portkey-provider", provider);
        request.Headers.Add("x-portkey-custom-host", fixture.FakeBase);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProviderKey);
        return request;
    }

    public static HttpRequestMessage WithConfig(this HttpRequestMessage request, string config)
    {
        request.Headers.Add("x-portkey-config", config);
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", ProviderKey);
        return request;
    }

    public static HttpRequestMessage WithHeader(this HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>A config target pointing at the FakeProvider with the given model (directives included).</summary>
    public static string Target(GatewayFixture fixture, string model, string extra = "") =>
        $$"""{"provider":"openai","custom_host":"{{fixture.FakeBase}}","override_params":{"model":{{JsonSerializer.Serialize(model)}}}{{extra}}}""";

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"response has no header {name}");

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
