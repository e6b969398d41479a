namespace Switchyard.FakeProvider.Content;

/// <summary>
/// Token counts for usage. Four characters per token is the usual rule of thumb for English;
/// tests need the numbers to be exact and predictable, not faithful to any tokenizer.
/// </summary>
internal static class TokenEstimate
{
    /// <summary>Per-message and per-reply overheads as OpenAI documents them for chat formatting.</summary>
    public const int PerChatMessage = 4;
    public const int PerChatReply = 3;

    public static int ForText(string text) => (text.Length + 3) / 4;
}
