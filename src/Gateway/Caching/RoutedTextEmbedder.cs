using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Admission;
using Switchyard.Gateway.Answer;
using Switchyard.Gateway.Intake;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Settlement;
using Switchyard.Gateway.Targets;
using Switchyard.Providers;
using Switchyard.Providers.Catalog;
using Switchyard.Providers.Dialects.OpenAi;

namespace Switchyard.Gateway.Caching;

/// <summary>A vector from an embeddings target, and the name of the model that made it (part of the semantic partition).</summary>
internal sealed record RoutedEmbedding(float[] Vector, string Model);

/// <summary>
/// The semantic cache's embeddings from a config's <c>cache.embedding</c> target instead of the local model: an
/// embeddings call built, reserved, attempted and settled like any target's (its provider or virtual key, credential,
/// retries, breaker and timeout; its spend charged to the caller's budgets). A call that fails leaves the request
/// cached exactly only; a target that cannot serve embeddings is the client's mistake (a 400).
/// </summary>
internal sealed partial class RoutedTextEmbedder(
    TargetRequestFactory requests, SpendReservation reservation, TargetInvoker invoker, CallSettlement settlement,
    IOptions<GatewayOptions> options, TimeProvider time, ILogger<RoutedTextEmbedder> logger)
{
    /// <summary>
    /// The similarity threshold when the config sets none: Portkey's, which it calibrated for OpenAI's embedding
    /// models (the local model has its own, measured).
    /// </summary>
    public const float DefaultThreshold = 0.95f;

    public async ValueTask<RoutedEmbedding?> EmbedAsync(GatewayCall call, ConfigNode target, string text)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["input"] = text, ["encoding_format"] = "float" });
        var embedding = new GatewayCall(ApiOperation.Embeddings, OpenAiDialect.Instance, new EmbeddingRequest(call), NoAnswer.Instance, time.GetTimestamp())
        {
            Body = RequestBodyReader.Read(body, options.Value.MaxJsonDepth),
            ApiKey = call.ApiKey,
            Workspace = call.Workspace,
            Plan = call.Plan,
            TraceId = call.TraceId,
            Metadata = call.Metadata,
        };
        var settings = TargetSettings.Empty.InheritInto(target);
        var request = requests.Create(target, settings, call.Plan!.Defaults, embedding);
        var hold = await reservation.ReserveAsync(embedding, request);
        TargetResult result;
        try
        {
            result = await invoker.InvokeAsync(request, settings.Retry, settings.Circuit, call.Timings, call.Aborted);
        }
        catch
        {
            reservation.Release(hold);
            throw;
        }

        await using var outcome = result.Outcome;
        reservation.Conclude(embedding, hold, outcome);
        try
        {
            if (!outcome.IsSuccess || outcome.Body is not { } answer)
            {
                LogEmbeddingFailed(logger, request.ProviderSlug, outcome.StatusCode, outcome.Problem ?? "the provider answered with an error");
                return null;
            }

            var openAi = request.Adapter.Format == WireFormat.OpenAi
                ? answer
                : request.Adapter.TranslateResponse(request.Call, answer, outcome.Response is { } r ? ProviderResponseHeaders.Of(r) : default);
            embedding.Usage = UsageReader.Read(openAi);
            return new RoutedEmbedding(Vector(openAi), $"{request.ProviderSlug} {request.Call.BaseUrl} {request.Call.Model}");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or Providers.Streaming.StreamProtocolException)
        {
            LogEmbeddingFailed(logger, request.ProviderSlug, outcome.StatusCode, $"the answer is not an embedding: {ex.Message}");
            return null;
        }
        finally
        {
            settlement.Settle(embedding);
        }
    }

    /// <summary>The first vector of an OpenAI embeddings answer, scaled to unit length.</summary>
    private static float[] Vector(byte[] openAi)
    {
        using var document = JsonDocument.Parse(openAi);
        var values = document.RootElement.GetProperty("data")[0].GetProperty("embedding");
        var vector = new float[values.GetArrayLength()];
        var i = 0;
        foreach (var value in values.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }

        return UnitVector.Normalize(vector);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The semantic cache's embeddings call to {Provider} failed ({Status}): {Problem}; the request is cached exactly only")]
    private static partial void LogEmbeddingFailed(ILogger logger, string provider, int status, string problem);

    /// <summary>The embeddings call's side of the client: no headers of its own, the caller's cancellation.</summary>
    private sealed class EmbeddingRequest(GatewayCall call) : IClientRequest, IRequestHeaders
    {
        public string Path => "/v1/embeddings";

        public string? ContentType => "application/json";

        public long? ContentLength => null;

        public IRequestHeaders Headers => this;

        public PipeReader Body => PipeReader.Create(Stream.Null);

        public CancellationToken Aborted => call.Aborted;

        public IEnumerable<KeyValuePair<string, string>> All => [];

        public string? this[string name] => null;

        public int StatusOf(IOException readFailure) => 400;
    }

    /// <summary>The embeddings call's answer goes to the semantic cache, never to a client.</summary>
    private sealed class NoAnswer : IClientResponse
    {
        public static readonly NoAnswer Instance = new();

        public bool HasStarted => false;

        public int StatusCode
        {
            set { }
        }

        public void SetHeader(string name, string value)
        {
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
