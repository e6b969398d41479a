using Microsoft.Extensions.Options;

namespace Switchyard.Gateway.Caching;

/// <summary>
/// Which requests the semantic cache looks up and stores, and what of them it compares (<see cref="SemanticRequest"/>).
/// </summary>
public sealed class SemanticCacheOptions
{
    /// <summary>
    /// The most messages a chat request may have and still be eligible; at least 1. Default 4 (a system prompt and
    /// one exchange before the question). Every message but the last user turn must be equal for a match, so longer
    /// conversations rarely match and would each make a partition of their own.
    /// </summary>
    public int MaxMessages { get; set; } = 4;

    /// <summary>
    /// The longest embedded text, in characters, of an eligible request; at least 1. Default 1,000 (about 250 tokens of
    /// English, the span the local model was trained on). Longer texts are not eligible: the model reads only their
    /// beginning (512 tokens), and two long texts that differ in one detail embed almost alike.
    /// </summary>
    public int MaxTextLength { get; set; } = 1_000;

    /// <summary>
    /// Whether the whole conversation is embedded instead of the last user turn. Default false: the last user turn is
    /// embedded, and the messages before it (system prompts, earlier turns) must be equal, exactly, for a match. When
    /// true, every message's text is embedded (each with its role) and only the parameters must be equal, so
    /// conversations that differ in their system prompt or earlier turns can match: more hits, more wrong ones (a
    /// shared system prompt makes different questions look alike).
    /// </summary>
    public bool EmbedAllMessages { get; set; }

    /// <summary>The section these are bound from.</summary>
    public const string Section = "Switchyard:Cache:Semantic";

    /// <summary>These options with another <see cref="MaxMessages"/> (a config's <c>cache.max_messages</c>).</summary>
    public SemanticCacheOptions WithMaxMessages(int maxMessages) =>
        new() { MaxMessages = maxMessages, MaxTextLength = MaxTextLength, EmbedAllMessages = EmbedAllMessages };

    /// <summary>Throws an <see cref="OptionsValidationException"/> naming every setting out of range.</summary>
    public void Validate()
    {
        var failures = new List<string>();
        if (MaxMessages < 1)
        {
            failures.Add($"{nameof(SemanticCacheOptions)}.{nameof(MaxMessages)} must be at least 1.");
        }

        if (MaxTextLength < 1)
        {
            failures.Add($"{nameof(SemanticCacheOptions)}.{nameof(MaxTextLength)} must be at least 1.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SemanticCacheOptions), failures);
        }
    }
}
