using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;
using Switchyard.State;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// The cache's two steps of a target's call: the lookup before the provider is called (exact key, then similar text
/// in semantic mode), and keeping the answer once it is complete. Entries are scoped to the call's workspace, always.
/// With no cache registered in the host every call is <c>DISABLED</c>.
/// </summary>
internal sealed partial class ResponseCaching
{
    private const int SemanticCandidates = 3;

    /// <summary>The partition of keyless calls made when no default workspace exists (it was archived): no real workspace id.</summary>
    private const string KeylessWorkspace = "(keyless)";

    private readonly IResponseCache? _cache;
    private readonly ITextEmbedder? _embedder;
    private readonly RoutedTextEmbedder? _routed;
    private readonly GatewayOptions _options;
    private readonly SemanticCacheOptions _semantic;
    private readonly TimeProvider _time;
    private readonly ILogger<ResponseCaching> _logger;

    public ResponseCaching(
        IResponseCache? cache, ITextEmbedder? embedder, RoutedTextEmbedder? routed, IOptions<GatewayOptions> options, SemanticCacheOptions semantic,
        TimeProvider time, ILogger<ResponseCaching> logger)
    {
        _cache = cache;
        _embedder = embedder;
        _routed = routed;
        _options = options.Value;
        _semantic = semantic;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Looks the target's answer up, and leaves on the call what storing its answer needs. Returns the stored answer,
    /// ready to replay the way the client asked (JSON or a stream), on a hit; null when the provider must be called.
    /// Sets <c>x-portkey-cache-status</c>.
    /// </summary>
    public async ValueTask<CachedReply?> LookupAsync(GatewayCall call, TargetSettings settings, UpstreamRequest request)
    {
        call.Cache = null;
        if (_cache is null || settings.Cache is not { } cache || !Cacheable(call.Operation))
        {
            Mark(call, CacheStatus.Disabled);
            return null;
        }

        var directive = CacheDirective.Read(call.Headers);
        if (directive.NoStore)
        {
            Mark(call, CacheStatus.Disabled);
            return null;
        }

        var workspace = call.Workspace?.Id ?? KeylessWorkspace;
        var target = request.Call;
        var key = new CacheKey(workspace, directive.Namespace, call.Operation.OpenAiPath()[1..], request.ProviderSlug, TargetUrl(request), target.Model ?? "");
        var ticket = new CacheTicket
        {
            WorkspaceId = workspace,
            Namespace = directive.Namespace,
            Hash = key.Hash(target.OpenAiBody(), cache.KeyMetadata ? call.Metadata : null), // the body with the target's fields (overrides, model) set
            Operation = key.Operation,
            Provider = key.Provider,
            Model = key.Model,
            Settings = cache,
            MaxAge = cache.MaxAgeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : _options.CacheDefaultMaxAge,
            Refresh = directive.Refresh,
        };
        call.Cache = ticket;
        call.Response.SetHeader(GatewayHeaders.CacheKey, ticket.Hash);

        if (ticket.Refresh)
        {
            await EmbedAsync(call, ticket, key, request);
            return Counted(call, ticket, CacheOutcome.Refresh, null);
        }

        if (await _cache.GetAsync(workspace, ticket.Hash, call.Aborted) is { } exact && Replay(call, request, exact) is { } reply)
        {
            return Counted(call, ticket, CacheOutcome.Hit, reply);
        }

        if (!await EmbedAsync(call, ticket, key, request))
        {
            return Counted(call, ticket, CacheOutcome.Miss, null);
        }

        var threshold = (float)(cache.SimilarityThreshold ?? ticket.DefaultThreshold);
        var matches = await _cache.FindSimilarAsync(workspace, ticket.SemanticPartition!, ticket.Vector, threshold, SemanticCandidates, call.Aborted);
        foreach (var match in matches)
        {
            // A vector can outlive its entry by a sweep's interval; the entry's own expiry decides.
            if (await _cache.GetAsync(workspace, match.Hash, call.Aborted) is { } similar && Replay(call, request, similar) is { } similarReply)
            {
                return Counted(call, ticket, CacheOutcome.SemanticHit, similarReply);
            }
        }

        return Counted(call, ticket, CacheOutcome.SemanticMiss, null);
    }

    /// <summary>Keeps a complete, successful JSON answer (in OpenAI's shape) unless the provider or the request said not to.</summary>
    public void KeepJson(GatewayCall call, UpstreamOutcome outcome, byte[] openAi)
    {
        if (call.Cache is { } ticket && Storable(outcome) && HasAnswer(call.Operation, openAi))
        {
            Keep(ticket, CachedAnswerShape.Json, openAi);
        }
    }

    /// <summary>Keeps a stream that ended cleanly with its final event: its OpenAI chunk payloads, in order.</summary>
    public void KeepStream(GatewayCall call, UpstreamOutcome outcome, IReadOnlyList<byte[]> chunks)
    {
        if (call.Cache is { } ticket && Storable(outcome) && chunks.Any(HasChoice))
        {
            Keep(ticket, CachedAnswerShape.Stream, CachedChunks.Encode(chunks));
        }
    }

    /// <summary>Whether the relay should collect the stream's chunks for <see cref="KeepStream"/>.</summary>
    public static bool Collects(GatewayCall call) => call.Cache is not null;

    private void Keep(CacheTicket ticket, CachedAnswerShape shape, byte[] body)
    {
        var now = _time.GetUtcNow();
        var answer = new CachedAnswer(
            ticket.WorkspaceId, ticket.Hash, ticket.Namespace, ticket.Operation, ticket.Provider, ticket.Model, shape, body, now, now + ticket.MaxAge,
            ticket.Vector is null ? null : ticket.SemanticPartition);
        _cache!.Store(answer, ticket.Refresh, ticket.Vector);
    }

    private CachedReply? Counted(GatewayCall call, CacheTicket ticket, CacheOutcome outcome, CachedReply? reply)
    {
        _cache!.Count(ticket.WorkspaceId, ticket.Namespace, outcome);
        Mark(call, CacheStatus.Of(outcome));
        if (reply is not null)
        {
            // The entry that answered: a semantic hit's is an earlier request's, and that is the one to invalidate.
            call.Response.SetHeader(GatewayHeaders.CacheKey, reply.Entry.Hash);
        }

        return reply;
    }

    /// <summary>
    /// The entry as this call replays it, with a fresh id: its chunks for a stream request, its JSON otherwise. An entry
    /// of another operation, or one that cannot be read back, is no hit (logged; the provider answers instead).
    /// </summary>
    private CachedReply? Replay(GatewayCall call, UpstreamRequest request, CachedAnswer entry)
    {
        var operation = call.Operation.OpenAiPath()[1..];
        if (entry.Operation != operation)
        {
            return null;
        }

        try
        {
            var stamp = ReplayStamp.New(call.Operation, _time);

            // Every chunk, the usage chunk included: the writer drops it when the client did not ask for it.
            return request.Stream
                ? new CachedReply(entry, null, AnswerReplay.AsChunks(entry, stamp, includeUsage: true))
                : new CachedReply(entry, AnswerReplay.AsJson(entry, stamp), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException)
        {
            LogUnreadableEntry(_logger, entry.Hash, ex.Message);
            return null;
        }
    }

    /// <summary>The call's status and its header; the pipeline wrote <c>DISABLED</c> already, so an uncached call writes nothing again.</summary>
    private static void Mark(GatewayCall call, string status)
    {
        if (call.CacheStatus == status)
        {
            return;
        }

        call.CacheStatus = status;
        call.Response.SetHeader(GatewayHeaders.CacheStatus, status);
    }

    /// <summary>
    /// Embeds the request's text when the target's cache is semantic and the request is eligible (short, text only:
    /// <see cref="SemanticRequest"/>); false when it is not semantic-cached, and only the exact key counts.
    /// </summary>
    private async ValueTask<bool> EmbedAsync(GatewayCall call, CacheTicket ticket, CacheKey key, UpstreamRequest request)
    {
        var routed = ticket.Settings.Embedding;
        if (!ticket.Settings.Semantic || routed is null && _embedder is null || routed is not null && _routed is null)
        {
            return false;
        }

        var options = ticket.Settings.MaxMessages is { } most ? _semantic.WithMaxMessages(most) : _semantic;
        if (SemanticRequest.Read(call.Operation, request.Call.OpenAiBody(), options) is not { } semantic)
        {
            return false;
        }

        if (routed is not null)
        {
            if (await _routed!.EmbedAsync(call, routed, semantic.Text) is not { } embedded)
            {
                return false;
            }

            ticket.Vector = embedded.Vector;
            ticket.SemanticPartition = semantic.Partition(key, embedded.Model);
            ticket.DefaultThreshold = RoutedTextEmbedder.DefaultThreshold;
            return true;
        }

        ticket.Vector = await _embedder!.EmbedAsync(semantic.Text, call.Aborted);
        ticket.SemanticPartition = semantic.Partition(key, _embedder.Model);
        ticket.DefaultThreshold = _embedder.DefaultThreshold;
        return true;
    }

    private static string TargetUrl(UpstreamRequest request) =>
        request.Call.BaseUrl?.AbsoluteUri ?? request.Uri.GetLeftPart(UriPartial.Path);

    private static bool Cacheable(ApiOperation operation) =>
        operation is ApiOperation.ChatCompletions or ApiOperation.Completions or ApiOperation.Embeddings;

    /// <summary>A provider that marks its answer <c>Cache-Control: no-store</c> is taken at its word.</summary>
    private static bool Storable(UpstreamOutcome outcome) =>
        outcome.IsSuccess && outcome.Response?.Headers.CacheControl is not { NoStore: true };

    /// <summary>An answer with something in it: choices for completions, vectors for embeddings.</summary>
    private static bool HasAnswer(ApiOperation operation, byte[] openAi)
    {
        try
        {
            using var document = JsonDocument.Parse(openAi);
            var field = operation == ApiOperation.Embeddings ? "data" : "choices";
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(field, out var items)
                && items.ValueKind == JsonValueKind.Array
                && items.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A chunk that carries a choice (not only usage), however it is spaced.</summary>
    private static bool HasChoice(byte[] chunk)
    {
        if (chunk.AsSpan().IndexOf("\"choices\""u8) < 0)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(chunk);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("choices", out var choices)
                && choices.ValueKind == JsonValueKind.Array
                && choices.GetArrayLength() > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached answer {Hash} could not be read back and was not served: {Problem}")]
    private static partial void LogUnreadableEntry(ILogger logger, string hash, string problem);
}
