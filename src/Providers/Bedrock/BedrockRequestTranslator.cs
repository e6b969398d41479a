using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Writes an OpenAI chat-completions body as a Bedrock Converse body: system prompts to <c>system</c>, the turns to
/// <c>messages</c> (consecutive turns of one role merged, as Converse requires alternating roles; tool results become
/// user <c>toolResult</c> blocks), tools to <c>toolConfig</c> and sampling parameters to <c>inferenceConfig</c>.
/// </summary>
internal static class BedrockRequestTranslator
{
    /// <summary>Bedrock-native top-level fields a client may add to an OpenAI body; they go through unchanged.</summary>
    private static readonly string[] NativeFields =
    [
        "additionalModelRequestFields", "additionalModelResponseFieldPaths", "guardrailConfig", "performanceConfig",
        "promptVariables", "requestMetadata",
    ];

    /// <exception cref="ProviderRequestException">the request uses something Converse cannot express.</exception>
    public static byte[] FromOpenAi(ReadOnlyMemory<byte> openAiBody)
    {
        using var document = ProviderJson.ParseRequest(openAiBody);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("'messages' must be an array.");
        }

        RefuseUnsupported(root);
        var system = new List<JsonElement>();
        var turns = new List<Turn>();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            ReadMessage(message, index++, system, turns);
        }

        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer, CompactJson.Options))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            foreach (var turn in turns)
            {
                writer.WriteStartObject();
                writer.WriteString("role", turn.Role);
                writer.WriteStartArray("content");
                foreach (var block in turn.Blocks)
                {
                    block(writer);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (system.Count > 0)
            {
                writer.WriteStartArray("system");
                foreach (var text in system)
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", text.GetString());
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            WriteInferenceConfig(writer, root);
            WriteToolConfig(writer, root);
            foreach (var field in NativeFields)
            {
                if (root.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    writer.WritePropertyName(field);
                    value.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void RefuseUnsupported(JsonElement root)
    {
        if (root.TryGetProperty("n", out var n) && n.ValueKind == JsonValueKind.Number && !(n.TryGetInt32(out var count) && count == 1))
        {
            throw new ProviderRequestException("Bedrock Converse returns one choice; 'n' must be 1.");
        }

        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var type) && !type.ValueEquals("text"))
        {
            throw new ProviderRequestException(
                $"Bedrock Converse has no JSON mode; 'response_format' of type '{type}' cannot be honoured. Describe the JSON in the prompt, or use a tool with the schema.");
        }
    }

    private static void ReadMessage(JsonElement message, int index, List<JsonElement> system, List<Turn> turns)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String)
        {
            throw new ProviderRequestException($"messages[{index}] must be an object with a string 'role'.");
        }

        var role = roleElement.GetString();
        message.TryGetProperty("content", out var content);
        switch (role)
        {
            case "system" or "developer":
                ForEachText(content, index, system.Add, _ => throw new ProviderRequestException($"messages[{index}]: a {role} message may hold text only."));
                break;
            case "user":
                var userBlocks = new List<Action<Utf8JsonWriter>>();
                ForEachText(content, index, text => userBlocks.Add(TextBlock(text)), part => userBlocks.Add(UserPart(part, index)));
                Append(turns, "user", userBlocks);
                break;
            case "assistant":
                var assistantBlocks = new List<Action<Utf8JsonWriter>>();
                ForEachText(content, index, text => assistantBlocks.Add(TextBlock(text)), _ => throw new ProviderRequestException($"messages[{index}]: an assistant message may hold text and tool calls only."));
                if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in toolCalls.EnumerateArray())
                    {
                        assistantBlocks.Add(ToolUseBlock(call, index));
                    }
                }

                Append(turns, "assistant", assistantBlocks);
                break;
            case "tool":
                Append(turns, "user", [ToolResultBlock(message, content, index)]);
                break;
            default:
                throw new ProviderRequestException($"messages[{index}]: role '{role}' cannot be sent to Bedrock (use system, user, assistant or tool).");
        }
    }

    /// <summary>Calls <paramref name="text"/> for the string content or each non-empty text part, <paramref name="other"/> for any other part.</summary>
    private static void ForEachText(JsonElement content, int index, Action<JsonElement> text, Action<JsonElement> other)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return;
            case JsonValueKind.String:
                // Converse rejects blank text blocks, and an empty string says nothing.
                if (content.GetString()!.Length > 0)
                {
                    text(content);
                }

                return;
            case JsonValueKind.Array:
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                        && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        if (partText.GetString()!.Length > 0)
                        {
                            text(partText);
                        }
                    }
                    else
                    {
                        other(part);
                    }
                }

                return;
            default:
                throw new ProviderRequestException($"messages[{index}].content must be a string, an array of content parts or null.");
        }
    }

    private static void Append(List<Turn> turns, string role, List<Action<Utf8JsonWriter>> blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (turns.Count > 0 && turns[^1].Role == role)
        {
            turns[^1].Blocks.AddRange(blocks);
        }
        else
        {
            turns.Add(new Turn(role, blocks));
        }
    }

    private static Action<Utf8JsonWriter> TextBlock(JsonElement text) => writer =>
    {
        writer.WriteStartObject();
        writer.WritePropertyName("text");
        text.WriteTo(writer);
        writer.WriteEndObject();
    };

    private static Action<Utf8JsonWriter> UserPart(JsonElement part, int index)
    {
        var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type != "image_url")
        {
            throw new ProviderRequestException($"messages[{index}]: content parts of type '{type}' cannot be sent to Bedrock (text and image_url can).");
        }

        var (format, data) = ImageBytes(OpenAiRequestReader.ImageUrl(part) ?? "", index);
        return writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("image");
            writer.WriteString("format", format);
            writer.WriteStartObject("source");
            writer.WriteString("bytes", data.Span);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        };
    }

    /// <summary>Converse takes image bytes (base64 in JSON), not URLs: only <c>data:image/…;base64,</c> URLs can be sent.</summary>
    private static (string Format, ReadOnlyMemory<char> Base64) ImageBytes(string url, int index)
    {
        const string ImageType = "image/";
        if (!DataUrl.TryParse(url, out var data) || !data.MediaType.StartsWith(ImageType, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProviderRequestException(
                $"messages[{index}]: Bedrock takes images as bytes, not URLs; send the image as a data: URL (data:image/png;base64,…).");
        }

        var format = data.MediaType[ImageType.Length..].ToLowerInvariant() switch
        {
            "png" => "png",
            "jpeg" or "jpg" => "jpeg",
            "gif" => "gif",
            "webp" => "webp",
            var other => throw new ProviderRequestException($"messages[{index}]: Bedrock takes png, jpeg, gif and webp images, not image/{other}."),
        };
        return (format, data.Base64);
    }

    private static Action<Utf8JsonWriter> ToolUseBlock(JsonElement call, int index)
    {
        if (call.ValueKind != JsonValueKind.Object
            || !call.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
            || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new ProviderRequestException($"messages[{index}].tool_calls: each call needs an 'id' and a function 'name'.");
        }

        var arguments = function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString()! : "";
        JsonElement input;
        try
        {
            using var parsed = JsonDocument.Parse(arguments.Length == 0 ? "{}" : arguments);
            input = parsed.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ProviderRequestException($"messages[{index}].tool_calls: the arguments of '{name.GetString()}' are not valid JSON; Bedrock needs them as a JSON object.");
        }

        return writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("toolUse");
            writer.WritePropertyName("toolUseId");
            id.WriteTo(writer);
            writer.WritePropertyName("name");
            name.WriteTo(writer);
            writer.WritePropertyName("input");
            input.WriteTo(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        };
    }

    private static Action<Utf8JsonWriter> ToolResultBlock(JsonElement message, JsonElement content, int index)
    {
        if (!message.TryGetProperty("tool_call_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            throw new ProviderRequestException($"messages[{index}]: a tool message needs a 'tool_call_id'.");
        }

        var texts = new List<JsonElement>();
        ForEachText(content, index, texts.Add, _ => throw new ProviderRequestException($"messages[{index}]: a tool result may hold text only."));
        return writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("toolResult");
            writer.WritePropertyName("toolUseId");
            id.WriteTo(writer);
            writer.WriteStartArray("content");
            foreach (var text in texts)
            {
                TextBlock(text)(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        };
    }

    private static void WriteInferenceConfig(Utf8JsonWriter writer, JsonElement root)
    {
        var maxTokens = Number(root, "max_completion_tokens") ?? Number(root, "max_tokens");
        var temperature = Number(root, "temperature");
        var topP = Number(root, "top_p");
        root.TryGetProperty("stop", out var stop);
        var hasStop = stop.ValueKind is JsonValueKind.String or JsonValueKind.Array;
        if (maxTokens is null && temperature is null && topP is null && !hasStop)
        {
            return;
        }

        writer.WriteStartObject("inferenceConfig");
        WriteNumber(writer, "maxTokens", maxTokens);
        WriteNumber(writer, "temperature", temperature);
        WriteNumber(writer, "topP", topP);
        if (hasStop)
        {
            writer.WriteStartArray("stopSequences");
            if (stop.ValueKind == JsonValueKind.String)
            {
                stop.WriteTo(writer);
            }
            else
            {
                foreach (var sequence in stop.EnumerateArray())
                {
                    sequence.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static JsonElement? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value : null;

    private static void WriteNumber(Utf8JsonWriter writer, string name, JsonElement? value)
    {
        if (value is { } number)
        {
            writer.WritePropertyName(name);
            number.WriteTo(writer);
        }
    }

    private static void WriteToolConfig(Utf8JsonWriter writer, JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            return;
        }

        root.TryGetProperty("tool_choice", out var choice);
        if (choice.ValueKind == JsonValueKind.String && choice.ValueEquals("none"))
        {
            // Converse has no "none": leaving the tools out is the only way to forbid calls.
            return;
        }

        writer.WriteStartObject("toolConfig");
        writer.WriteStartArray("tools");
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || !type.ValueEquals("function")
                || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new ProviderRequestException("Bedrock takes function tools only: each tool needs type 'function' and a function 'name'.");
            }

            writer.WriteStartObject();
            writer.WriteStartObject("toolSpec");
            writer.WritePropertyName("name");
            name.WriteTo(writer);
            if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
            {
                writer.WritePropertyName("description");
                description.WriteTo(writer);
            }

            writer.WriteStartObject("inputSchema");
            writer.WritePropertyName("json");
            if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                parameters.WriteTo(writer);
            }
            else
            {
                writer.WriteRawValue("""{"type":"object","properties":{}}"""u8);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteToolChoice(writer, choice);
        writer.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            var mode = choice.GetString() switch
            {
                "auto" => "auto",
                "required" => "any",
                var other => throw new ProviderRequestException($"'tool_choice' '{other}' is not one of none, auto, required."),
            };
            writer.WriteStartObject("toolChoice");
            writer.WriteStartObject(mode);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            if (!choice.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new ProviderRequestException("'tool_choice' naming a tool needs {\"type\":\"function\",\"function\":{\"name\":…}}.");
            }

            writer.WriteStartObject("toolChoice");
            writer.WriteStartObject("tool");
            writer.WritePropertyName("name");
            name.WriteTo(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private sealed record Turn(string Role, List<Action<Utf8JsonWriter>> Blocks);
}
