using Switchyard.FakeProvider.Faults;
using Switchyard.FakeProvider.Hosting;
using Switchyard.FakeProvider.Transport;

namespace Switchyard.FakeProvider.OpenAi;

/// <summary>The word-by-word part of OpenAI streams, shared by chat and legacy completions.</summary>
internal static class OpenAiStreaming
{
    /// <summary>What a client gets from <c>malformed-after</c>: a chunk cut off mid-JSON.</summary>
    public static ReadOnlyMemory<byte> BrokenChunk { get; } = """{"id": "broken", "choices": ["""u8.ToArray();

    public static ReadOnlyMemory<byte> Done { get; } = "[DONE]"u8.ToArray();

    public static SseStream Open(HttpContext context, FakeExchange exchange, FaultPlan faults) =>
        new(context, exchange, faults, BrokenChunk);

    /// <summary>
    /// Sends one chunk per piece position and choice (a word, or a slice of tool-call arguments), choices
    /// interleaved as OpenAI does for n &gt; 1. Stream faults count these pieces as words.
    /// </summary>
    /// <returns>False when a fault ended the stream.</returns>
    public static async Task<bool> WriteWordsAsync(
        SseStream stream,
        IReadOnlyList<ReplyChoice> choices,
        Func<ReplyChoice, string, ReadOnlyMemory<byte>> wordChunk)
    {
        var longest = choices.Count == 0 ? 0 : choices.Max(choice => choice.PieceCount);
        for (var word = 0; word < longest; word++)
        {
            if (!await stream.PassCheckpointAsync(word, wordsFinished: false))
            {
                return false;
            }

            foreach (var choice in choices)
            {
                if (word < choice.PieceCount)
                {
                    await stream.WriteDataAsync(wordChunk(choice, choice.Piece(word)));
                }
            }
        }

        return await stream.PassCheckpointAsync(longest, wordsFinished: true);
    }
}
