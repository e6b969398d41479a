using BenchmarkDotNet.Attributes;
using Switchyard.Bench.Micro.Payloads;
using Switchyard.Providers.Streaming;

namespace Switchyard.Bench.Micro;

/// <summary>
/// A whole streamed answer (about 50 events) relayed from an in-memory upstream to a null client stream, the way the
/// gateway relays it: SSE framing read, each event translated and checked for usage and the end, written and flushed.
/// Baseline: copying the OpenAI stream's bytes as they are, what a blind proxy does.
/// </summary>
[MemoryDiagnoser]
public class StreamRelayBenchmarks
{
    private byte[] _openAiStream = [];
    private RelayScenario _openAiToOpenAiClient = null!;
    private RelayScenario _anthropicToOpenAiClient = null!;
    private RelayScenario _openAiToAnthropicClient = null!;
    private RelayScenario _anthropicToAnthropicClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _openAiStream = ChatStreams.OpenAi();
        var anthropicStream = ChatStreams.Anthropic();
        var dataPath = new DataPath();
        _openAiToOpenAiClient = RelayScenario.OpenAiClient(dataPath, "openai", _openAiStream).VerifiedAsync().GetAwaiter().GetResult();
        _anthropicToOpenAiClient = RelayScenario.OpenAiClient(dataPath, "anthropic", anthropicStream).VerifiedAsync().GetAwaiter().GetResult();
        _openAiToAnthropicClient = RelayScenario.AnthropicClient(dataPath, "openai", _openAiStream).VerifiedAsync().GetAwaiter().GetResult();
        _anthropicToAnthropicClient = RelayScenario.AnthropicClient(dataPath, "anthropic", anthropicStream).VerifiedAsync().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<long> CopyToAsync()
    {
        using var upstream = new MemoryStream(_openAiStream, writable: false);
        await upstream.CopyToAsync(Stream.Null);
        return upstream.Position;
    }

    /// <summary>The SSE framing alone: every event of the OpenAI stream read and dropped.</summary>
    [Benchmark]
    public async Task<int> SseEventReader_ReadAll()
    {
        await using var events = new SseEventReader(new MemoryStream(_openAiStream, writable: false));
        var count = 0;
        while (await events.ReadAsync(CancellationToken.None) is not null)
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    public Task<long> Relay_OpenAiToOpenAiClient() => _openAiToOpenAiClient.RelayAsync();

    [Benchmark]
    public Task<long> Relay_AnthropicToOpenAiClient() => _anthropicToOpenAiClient.RelayAsync();

    [Benchmark]
    public Task<long> Relay_OpenAiToAnthropicClient() => _openAiToAnthropicClient.RelayAsync();

    [Benchmark]
    public Task<long> Relay_AnthropicToAnthropicClient() => _anthropicToAnthropicClient.RelayAsync();
}
