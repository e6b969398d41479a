using System.Text.Json;

namespace Switchyard.Gateway.Execution;

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

    public static int InputTokens(ReadOnlySpan<byte> anthropicBody)
    {
        var reader = new Utf8JsonReader(anthropicBody, new JsonReaderOptions { MaxDepth = 128 });
        long characters = 0;
        var messages = 0;
        var images = 0;
        string? property = null;
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
                    if (property is "type" && reader.ValueTextEquals("image"u8))
                    {
                        images++;
                    }
                    else if (property is not ("type" or "role" or "model" or "media_type" or "data" or "id" or "tool_use_id" or "cache_control"))
                    {
                        characters += reader.ValueSpan.Length;
                    }

                    break;
            }
        }

        return (int)Math.Min(int.MaxValue, ((characters + 3) / 4) + (messages * PerMessage) + (images * PerImage));
    }
}
