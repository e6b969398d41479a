using System.Text.Json;
using Switchyard.Gateway.Errors;

namespace Switchyard.Gateway.Intake;

/// <summary>
/// Reads the routing fields of an OpenAI-shaped body with <see cref="Utf8JsonReader"/> in a single pass,
/// validating the whole document (well-formed, an object, within the depth limit) on the way.
/// </summary>
internal static class RequestBodyReader
{
    public static RequestBody Read(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        if (utf8.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, "The request body is empty; send a JSON object such as {\"model\":\"gpt-4o-mini\",\"messages\":[…]}.");
        }

        var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read();

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new GatewayException(GatewayErrorKind.InvalidRequest, $"The request body must be a JSON object, not {Describe(reader.TokenType)}.");
            }

            string? model = null;
            var stream = false;
            int? maxTokens = null;
            StreamOptionsInfo? streamOptions = null;

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                // reader is on a top-level property name
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Null => null,
                        _ => throw new GatewayException(GatewayErrorKind.InvalidRequest, "'model' must be a string."),
                    };
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False or JsonTokenType.Null => false,
                        _ => throw new GatewayException(GatewayErrorKind.InvalidRequest, "'stream' must be true or false."),
                    };
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
                    {
                        maxTokens = value;
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw new GatewayException(GatewayErrorKind.InvalidRequest, "'max_tokens' must be an integer.");
                    }
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    streamOptions = reader.TokenType == JsonTokenType.Null ? null : ReadStreamOptions(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // Anything after the root object is malformed input, and Read() validates it for us.
            if (reader.Read())
            {
                throw new GatewayException(GatewayErrorKind.InvalidRequest, "The request body has data after the JSON object.");
            }

            return new RequestBody(utf8, model, stream, streamOptions, maxTokens);
        }
        catch (JsonException ex)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, JsonProblem(ex, maxDepth));
        }
    }

    private static StreamOptionsInfo ReadStreamOptions(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest, "'stream_options' must be an object.");
        }

        var start = (int)reader.TokenStartIndex;
        var depth = reader.CurrentDepth;
        var includeUsage = false;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            if (reader.CurrentDepth == depth + 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("include_usage"u8))
            {
                reader.Read();
                includeUsage = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
        }

        return new StreamOptionsInfo(includeUsage, start, (int)reader.BytesConsumed - start);
    }

    internal static string JsonProblem(JsonException ex, int maxDepth)
    {
        var where = ex.LineNumber is { } line ? $" at line {line + 1}, byte {ex.BytePositionInLine + 1}" : "";
        return ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)
            ? $"The request body is nested deeper than {maxDepth} levels; flatten it."
            : $"The request body is not valid JSON{where}; check quotes, commas and brackets.";
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
