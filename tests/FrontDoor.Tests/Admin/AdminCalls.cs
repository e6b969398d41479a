using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchyard.FrontDoor.Tests.Admin;

/// <summary>One admin call's answer: status, parsed body, raw text and the request id header.</summary>
internal sealed record AdminReply(HttpStatusCode Status, JsonElement Body, string Text, string? RequestId);

/// <summary>Sends admin requests as the Node SDK does (<c>x-portkey-api-key</c>, JSON bodies).</summary>
internal sealed class AdminCalls(HttpClient client, string? token)
{
    public Task<AdminReply> Post(string path, string json) => SendAsync(HttpMethod.Post, path, json);

    public Task<AdminReply> Put(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    public Task<AdminReply> Get(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<AdminReply> Delete(string path) => SendAsync(HttpMethod.Delete, path, null);

    public async Task<AdminReply> SendAsync(HttpMethod method, string path, string? json, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Add("x-portkey-api-key", token);
        }

        headers?.Invoke(request.Headers);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        var requestId = response.Headers.TryGetValues("x-portkey-request-id", out var values) ? values.Single() : null;
        return new AdminReply(response.StatusCode, document.RootElement.Clone(), text, requestId);
    }
}

internal static class AdminReplyAssertions
{
    public static JsonElement Ok(this AdminReply reply)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, $"expected 200, got {(int)reply.Status}: {reply.Text}");
        Assert.NotNull(reply.RequestId);
        return reply.Body;
    }

    public static void Empty(this AdminReply reply)
    {
        reply.Ok();
        Assert.Equal("{}", reply.Text);
    }

    public static JsonElement Failure(this AdminReply reply, HttpStatusCode status, string code)
    {
        Assert.True(reply.Status == status, $"expected {(int)status}, got {(int)reply.Status}: {reply.Text}");
        Assert.NotNull(reply.RequestId);
        Assert.Equal("failure", reply.Body.GetProperty("status").GetString());
        Assert.Equal(code, reply.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(reply.Body.GetProperty("message").GetString(), reply.Body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, reply.Body.GetProperty("error").GetProperty("param").ValueKind);
        return reply.Body;
    }

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
