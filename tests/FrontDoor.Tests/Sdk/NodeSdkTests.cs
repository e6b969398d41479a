using System.Diagnostics;
using Switchyard.FrontDoor.Tests.Infrastructure;

namespace Switchyard.FrontDoor.Tests.Sdk;

/// <summary>
/// Runs the official npm SDKs (tests/sdk, installed by the test command) against this class's live gateway,
/// one node test per xunit case so each SDK behaviour passes or fails on its own.
/// </summary>
public sealed class NodeSdkTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("openai.test.mjs", "openai chat completion")]
    [InlineData("openai.test.mjs", "openai chat completion stream")]
    [InlineData("openai.test.mjs", "openai fallback config")]
    [InlineData("openai.test.mjs", "openai embeddings")]
    [InlineData("openai.test.mjs", "openai stream cut mid-way throws")]
    [InlineData("openai.test.mjs", "openai provider error surfaces as APIError")]
    [InlineData("portkey.test.mjs", "portkey chat completion")]
    [InlineData("portkey.test.mjs", "portkey chat completion stream")]
    [InlineData("portkey.test.mjs", "portkey fallback config")]
    [InlineData("portkey.test.mjs", "portkey retry config")]
    [InlineData("admin.test.mjs", "portkey admin workspaces create")]
    [InlineData("admin.test.mjs", "portkey admin virtual keys create retrieve list")]
    [InlineData("admin.test.mjs", "portkey admin api keys create retrieve")]
    [InlineData("admin.test.mjs", "portkey admin configs create retrieve")]
    [InlineData("admin.test.mjs", "portkey admin errors are typed")]
    [InlineData("observability.test.mjs", "portkey feedback create and update")]
    [InlineData("observability.test.mjs", "portkey custom logs and exports")]
    [InlineData("observability.test.mjs", "portkey analytics graphs and groups")]
    [InlineData("cache.test.mjs", "openai sdk cache hit after miss")]
    [InlineData("cache.test.mjs", "portkey sdk cache hit, namespace and force refresh")]
    [InlineData("cache.test.mjs", "anthropic sdk cache hit after miss")]
    [MemberData(nameof(NativeBackendCases))]
    public async Task NodeSdk_AgainstTheGateway_Passes(string file, string name)
    {
        var result = await NodeTest.RunAsync(file, name, new Dictionary<string, string>
        {
            ["SWITCHYARD_URL"] = fixture.Gateway.ToString().TrimEnd('/'),
            ["FAKE_PROVIDER_BASE"] = fixture.FakeBase,
            ["FAKE_PROVIDER_ROOT"] = fixture.Fake.BaseAddress.ToString().TrimEnd('/'),
            ["SWITCHYARD_ADMIN_TOKEN"] = GatewayFixture.AdminToken,
        });

        Assert.True(result.ExitCode == 0, $"node test '{name}' failed:\n{result.Output}");
        Assert.Contains("# pass 1", result.Output, StringComparison.Ordinal);
    }

    /// <summary>The Anthropic SDK against /v1/messages and the OpenAI SDK against native backends, one case per backend.</summary>
    public static TheoryData<string, string> NativeBackendCases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var backend in new[] { "openai", "anthropic" })
        {
            foreach (var name in new[] { "message", "stream", "tool use", "streamed tool use", "error", "count tokens" })
            {
                cases.Add("anthropic.test.mjs", $"anthropic sdk {name} via {backend}");
            }
        }

        foreach (var backend in new[] { "anthropic", "google", "bedrock" })
        {
            foreach (var name in new[] { "chat", "stream", "tool call" })
            {
                cases.Add("openai-native.test.mjs", $"openai sdk {name} via {backend}");
            }
        }

        return cases;
    }
}

internal static class NodeTest
{
    public static string SdkFolder { get; } = FindSdkFolder();

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string name, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = SdkFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--test");
        start.ArgumentList.Add("--test-reporter=tap");
        start.ArgumentList.Add($"--test-name-pattern=^{System.Text.RegularExpressions.Regex.Escape(name)}$");
        start.ArgumentList.Add(file);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindSdkFolder()
    {
        var folder = Path.Combine(Repository.Root, "tests", "sdk");
        return Directory.Exists(Path.Combine(folder, "node_modules"))
            ? folder
            : throw new InvalidOperationException($"{folder}/node_modules is missing: run the README's test command (it runs npm ci there).");
    }
}
