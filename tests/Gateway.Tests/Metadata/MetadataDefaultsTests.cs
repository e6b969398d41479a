using Switchyard.Gateway.Metadata;
using Switchyard.Gateway.Tests.Security;

namespace Switchyard.Gateway.Tests.Metadata;

public sealed class MetadataDefaultsTests
{
    private readonly KeyWorld _world = new();

    [Fact]
    public async Task Apply_WorkspaceThenKeyThenRequest_LaterWinsPerField()
    {
        var workspace = _world.AddWorkspace("ws-meta", new Dictionary<string, string> { ["env"] = "ws", ["team"] = "search" });
        var key = _world.AddApiKey(workspace, k => k with { DefaultMetadata = new Dictionary<string, string> { ["env"] = "key", ["app"] = "bot" } });
        await _world.RefreshAsync();
        var call = _world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key));
        using var requested = System.Text.Json.JsonDocument.Parse("""{"app":"cli","n":1}""");

        var merged = MetadataDefaults.Apply(call, requested.RootElement);

        Assert.Equal("""{"env":"key","team":"search","app":"cli","n":1}""", merged!.Value.GetRawText());
    }

    [Fact]
    public async Task Apply_NoDefaults_KeepsTheRequestsOwn()
    {
        var key = _world.AddApiKey(_world.A);
        await _world.RefreshAsync();
        var call = _world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key));
        using var requested = System.Text.Json.JsonDocument.Parse("""{"a":"1"}""");

        Assert.Equal("""{"a":"1"}""", MetadataDefaults.Apply(call, requested.RootElement)!.Value.GetRawText());
        Assert.Null(MetadataDefaults.Apply(call, null));
    }

    [Fact]
    public async Task Apply_DefaultsOnly_WithoutARequestHeader()
    {
        var workspace = _world.AddWorkspace("ws-meta", new Dictionary<string, string> { ["env"] = "ws" });
        var key = _world.AddApiKey(workspace);
        await _world.RefreshAsync();

        Assert.Equal("""{"env":"ws"}""", MetadataDefaults.Apply(_world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key)), null)!.Value.GetRawText());
    }
}
