using System.Text.Json;

namespace Switchyard.Gateway.Tokens;

/// <summary>
/// A local estimate of a prompt's input tokens, for <c>/v1/messages/count_tokens</c> when the provider behind the route
/// has no counting endpoint. Four characters per token over every text the model would read (system, message text,
/// tool definitions, tool inputs and results), four tokens of framing per message, and a flat 1,600 per image
/// (Anthropic's figure for a ~1.15 megapixel image). An estimate, and answered as one (<c>x-switchyard-token-count: estimated</c>).
/// </summary>
internal static class TokenEstimate
{
    public const int PerMessage = 4;
    public const int PerImage = 1600;

    /// <summary>Tokens every chat answer is primed with (OpenAI's <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>), counted in prompt tokens.</summary>
    public const int PerRequest = 3;

    public static int InputTokens(ReadOnlySpan<byte> anthropicBody)
    {
        var text = PromptText.Measure(anthropicBody);
        return (int)Math.Min(int.MaxValue, ((text.Characters + 3) / 4) + (text.Messages * PerMessage) + (text.Images * PerImage));
    }

    /// <summary>
    /// The estimate and a bound the real count should not exceed, from one pass over an OpenAI- or Anthropic-shaped body.
    /// The estimate (a quarter token per byte of text) is what token rate limits reserve. The bound, one token per UTF-8
    /// byte of text (a token is at least one byte in the BPE vocabularies of the providers we route to) plus framing, the
    /// answer's priming and the image allowance, is what budgets reserve.
    /// </summary>
    public static PromptTokens Measure(ReadOnlySpan<byte> body)
    {
        var text = PromptText.Measure(body);
        var framing = (text.Messages * PerMessage) + (text.Images * PerImage);
        return new PromptTokens(((text.Characters + 3) / 4) + framing, text.Characters + framing + PerRequest);
    }

    /// <summary>Bytes of text a model would read, messages and images, in one pass over the body.</summary>
    private readonly record struct PromptText(long Characters, int Messages, int Images)
    {
        public static PromptText Measure(ReadOnlySpan<byte> body)
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
            long characters = 0;
            var messages = 0;
            var images = 0;
            string? property = null;
            try
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.PropertyName:
                            property = reader.GetString();
                            if (property == "role")
                            {
                                messages++;
                            }

                            break;
                        case JsonTokenType.String:
                            if (property is "type" && (reader.ValueTextEquals("image"u8) || reader.ValueTextEquals("image_url"u8)))
                            {
                                images++;
                            }
                            else if (property is not ("type" or "role" or "model" or "media_type" or "data" or "id" or "tool_use_id" or "cache_control" or "url" or "detail" or "tool_call_id"))
                            {
                                characters += reader.ValueSpan.Length;
                            }

                            break;
                    }
                }
            }
            catch (JsonException)
            {
                // The body was validated on the way in; a body that is not JSON (never here) counts by its length.
                characters = body.Length;
            }

            return new PromptText(characters, messages, images);
        }
    }
}

/// <summary>A prompt's input tokens: an estimate, and an upper bound for reserving budget.</summary>
internal readonly record struct PromptTokens(long Estimate, long UpperBound);
