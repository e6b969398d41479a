using System.Text.Json;
using Switchyard.Gateway.Answer;
using Switchyard.Providers;
using Switchyard.Providers.OpenAi;
using Switchyard.State;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// A cache hit as the client asked for it, in OpenAI's shape (a client dialect renders it from there): as one JSON
/// answer or as stream chunks, whichever way it was stored. A JSON entry goes out as stored, or told as a stream
/// (<see cref="StreamSynthesis"/>); a stream entry goes out chunk by chunk as stored, or added up into one answer
/// (<see cref="StreamAssembly"/>). Every output carries the <see cref="ReplayStamp"/>'s id and created and reports its
/// prompt as read from cache (<see cref="CachedUsage"/>); the rest is the provider's bytes wherever it can be.
/// </summary>
internal static class AnswerReplay
{
    /// <summary>The answer as one OpenAI JSON body: a chat completion, a text completion or an embedding list.</summary>
    /// <exception cref="InvalidDataException">the entry's operation is not one the gateway caches, or its stored stream is corrupt.</exception>
    /// <exception cref="JsonException">the stored JSON cannot be read.</exception>
    public static byte[] AsJson(CachedAnswer answer, ReplayStamp stamp)
    {
        var operation = OperationOf(answer);
        return answer.Shape switch
        {
            CachedAnswerShape.Json => stamp.Apply(answer.Body, addIdentity: operation != ApiOperation.Embeddings),
            _ when operation == ApiOperation.Embeddings => throw new InvalidDataException("A stored embeddings answer is a stream; embeddings are never streamed."),
            _ => StreamAssembly.Assemble(CachedChunks.Decode(answer.Body), operation == ApiOperation.ChatCompletions, stamp),
        };
    }

    /// <summary>
    /// The answer as OpenAI stream chunk payloads (<c>chat.completion.chunk</c> or <c>text_completion</c>), <c>[DONE]</c>
    /// last, each to be written as one SSE event. Without <paramref name="includeUsage"/> (the client did not ask for
    /// <c>stream_options.include_usage</c>) the usage-only chunk is left out.
    /// </summary>
    /// <exception cref="InvalidOperationException">the answer is an embedding list: embeddings are never streamed.</exception>
    /// <exception cref="InvalidDataException">the entry's operation is not one the gateway caches, or its stored stream is corrupt.</exception>
    /// <exception cref="JsonException">the stored JSON cannot be read.</exception>
    public static IReadOnlyList<byte[]> AsChunks(CachedAnswer answer, ReplayStamp stamp, bool includeUsage)
    {
        var operation = OperationOf(answer);
        if (operation == ApiOperation.Embeddings)
        {
            throw new InvalidOperationException("An embeddings answer cannot be replayed as a stream: embeddings are never streamed.");
        }

        if (answer.Shape == CachedAnswerShape.Json)
        {
            return StreamSynthesis.Chunks(answer.Body, operation == ApiOperation.ChatCompletions, stamp, includeUsage);
        }

        var stored = CachedChunks.Decode(answer.Body);
        var chunks = new List<byte[]>(stored.Count + 1);
        var restamp = stored.Count > 0 ? ChunkRestamp.For(stored[0], stamp) : null;
        foreach (var chunk in stored)
        {
            if (includeUsage || !UsageReader.Scan(chunk).UsageOnly)
            {
                chunks.Add(restamp?.TryApply(chunk) ?? stamp.Apply(chunk, addIdentity: true));
            }
        }

        chunks.Add(OpenAiChunks.Done);
        return chunks;
    }

    /// <summary>The operation a stored answer names as its OpenAI path below the API base (<see cref="ApiOperations.OpenAiPath"/> without the slash).</summary>
    private static ApiOperation OperationOf(CachedAnswer answer)
    {
        foreach (var operation in (ReadOnlySpan<ApiOperation>)[ApiOperation.ChatCompletions, ApiOperation.Completions, ApiOperation.Embeddings])
        {
            if (operation.OpenAiPath().AsSpan(1).SequenceEqual(answer.Operation))
            {
                return operation;
            }
        }

        throw new InvalidDataException($"A stored answer's operation '{answer.Operation}' is not one the gateway caches.");
    }
}
