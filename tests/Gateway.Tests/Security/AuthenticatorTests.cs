using Switchyard.Gateway.Errors;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Security;

/// <summary>Scopes and key types on the data path.</summary>
public sealed class AuthenticatorTests
{
    private readonly KeyWorld _world = new();

    private async Task<GatewayException?> AuthenticateAsync(Func<ApiKey, ApiKey> shape)
    {
        var key = _world.AddApiKey(_world.A, shape);
        await _world.RefreshAsync();
        try
        {
            _world.Call(KeyWorld.Chat("m"), ("x-portkey-api-key", key));
            return null;
        }
        catch (GatewayException ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Authenticate_OrganisationKey_Is403()
    {
        var refused = await AuthenticateAsync(k => k with { Type = ApiKeyType.Organisation });

        Assert.Equal(403, refused!.StatusCode);
        Assert.Equal("organisation keys administer; use a workspace key to call the gateway.", refused.Message);
    }

    [Fact]
    public async Task Authenticate_ScopesWithoutCompletionsWrite_Is403NamingTheScope()
    {
        var refused = await AuthenticateAsync(k => k with { Scopes = ["logs.view", "configs.read"] });

        Assert.Equal(403, refused!.StatusCode);
        Assert.Equal("This API key lacks the scope 'completions.write' that calling the gateway needs (it has: logs.view, configs.read).", refused.Message);
    }

    [Fact]
    public async Task Authenticate_CompletionsWriteAmongOthers_Passes() =>
        Assert.Null(await AuthenticateAsync(k => k with { Scopes = ["logs.view", "completions.write"] }));

    [Fact]
    public async Task Authenticate_NoScopesAtAll_Passes() =>
        Assert.Null(await AuthenticateAsync(k => k with { Scopes = [] }));
}
