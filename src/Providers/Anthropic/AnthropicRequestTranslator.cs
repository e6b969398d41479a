using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// OpenAI chat-completions requests as Anthropic Messages requests. System messages move to <c>system</c>, tool results
/// become <c>tool_result</c> blocks in user turns, and turns of one role are merged, because Anthropic wants user and
/// assistant turns to alternate.
/// </summary>
internal static class AnthropicRequestTranslator
{
    /// <summary>The name of the tool that carries a JSON-mode answer when <c>response_format</c> names no schema.</summary>
    public const string JsonModeToolName = "json_response";

    /// <summary>Writes the Messages request, or the count_tokens request (which takes only model, system, messages and tools).</summary>
    /// <exception cref="ProviderRequestException">the request asks for something Anthropic cannot do.</exception>
    public static byte[] FromOpenAi(ReadOnlyMemory<byte> openAiBody, bool countTokens)
    {
        using var document = Parse(openAiBody);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("'messages' is required and must be an array.");
        }

        if (root.Has("n", out var n) && (n.ValueKind != JsonValueKind.Number || !n.TryGetInt32(out var count) || count != 1))
        {
            throw new ProviderRequestException("Anthropic returns one choice per request; 'n' must be 1.");
        }

        var jsonMode = JsonMode(root);
        var hasTools = root.Has("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        if (jsonMode is not null && hasTools)
        {
            throw new ProviderRequestException("Anthropic has no JSON mode; Switchyard answers 'response_format' with a forced tool call, which cannot be combined with 'tools'. Drop one of them.");
        }

        var conversation = Conversation.Read(messages);
        return CompactJson.Write(json =>
        {
            json.WriteStartObject();
            if (root.TryGetProperty("model", out var model))
            {
                json.WritePropertyName("model");
                model.WriteTo(json);
            }

            conversation.WriteSystem(json);
            conversation.WriteMessages(json);
            if (!countTokens)
            {
                json.WriteNumber("max_tokens", MaxTokens(root));
                WriteStopSequences(json, root);
                foreach (var name in (ReadOnlySpan<string>)["temperature", "top_p", "top_k"])
                {
                    if (root.Has(name, out var value))
                    {
                        json.WritePropertyName(name);
                        value.WriteTo(json);
                    }
                }

                if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
                {
                    json.WriteBoolean("stream", true);
                }

                if (root.String("user") is { } user)
                {
                    json.WriteStartObject("metadata");
                    json.WriteString("user_id", user);
                    json.WriteEndObject();
                }
            }

            if (hasTools)
            {
                WriteTools(json, tools);
                WriteToolChoice(json, root);
            }
            else if (jsonMode is { } format)
            {
                WriteJsonModeTool(json, format);
            }

            json.WriteEndObject();
        }, openAiBody.Length + 256);
    }

    /// <summary>True when the request asks for JSON (<c>response_format</c> json_object or json_schema), which Switchyard answers with a forced tool.</summary>
    public static bool IsJsonMode(ReadOnlyMemory<byte> openAiBody)
    {
        try
        {
            using var document = JsonDocument.Parse(openAiBody, AnthropicWire.DocumentOptions);
            return document.RootElement.ValueKind == JsonValueKind.Object && JsonMode(document.RootElement) is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, AnthropicWire.DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ProviderRequestException($"The request body is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ProviderRequestException("The request body must be a JSON object.");
        }

        return document;
    }

    private static JsonElement? JsonMode(JsonElement root) =>
        root.TryGetProperty("response_format", out var format) && format.String("type") is "json_object" or "json_schema" ? format : null;

    private static int MaxTokens(JsonElement root)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (root.Has(name, out var value))
            {
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var limit) && limit > 0
                    ? limit
                    : throw new ProviderRequestException($"'{name}' must be a positive integer.");
            }
        }

        return AnthropicWire.DefaultMaxTokens;
    }

    private static void WriteStopSequences(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.Has("stop", out var stop))
        {
            return;
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            json.WriteStartArray("stop_sequences");
            json.WriteStringValue(stop.GetString());
            json.WriteEndArray();
            return;
        }

        if (stop.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("'stop' must be a string or an array of strings.");
        }

        if (stop.GetArrayLength() == 0)
        {
            return;
        }

        json.WriteStartArray("stop_sequences");
        foreach (var sequence in stop.EnumerateArray())
        {
            json.WriteStringValue(sequence.ValueKind == JsonValueKind.String ? sequence.GetString() : throw new ProviderRequestException("'stop' must be a string or an array of strings."));
        }

        json.WriteEndArray();
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        json.WriteStartArray("tools");
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.String("type") != "function" || !tool.TryGetProperty("function", out var function) || function.String("name") is not { } name)
            {
                throw new ProviderRequestException($"tools[{index}]: Anthropic takes function tools only ({{\"type\":\"function\",\"function\":{{\"name\":…}}}}).");
            }

            json.WriteStartObject();
            json.WriteString("name", name);
            if (function.String("description") is { } description)
            {
                json.WriteString("description", description);
            }

            WriteSchema(json, function.Has("parameters", out var parameters) ? parameters : null);
            CopyCacheControl(json, tool);
            json.WriteEndObject();
            index++;
        }

        json.WriteEndArray();
    }

    /// <summary>Anthropic requires an object schema; a function without parameters takes none.</summary>
    private static void WriteSchema(Utf8JsonWriter json, JsonElement? schema)
    {
        json.WritePropertyName("input_schema");
        if (schema is { ValueKind: JsonValueKind.Object } given)
        {
            given.WriteTo(json);
            return;
        }

        json.WriteStartObject();
        json.WriteString("type", "object");
        json.WriteStartObject("properties");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement root)
    {
        var serial = root.TryGetProperty("parallel_tool_calls", out var parallel) && parallel.ValueKind == JsonValueKind.False;
        string type;
        string? name = null;
        if (!root.Has("tool_choice", out var choice))
        {
            if (!serial)
            {
                return;
            }

            type = "auto";
        }
        else if (choice.ValueKind == JsonValueKind.String)
        {
            type = choice.GetString() switch
            {
                "auto" => "auto",
                "none" => "none",
                "required" => "any",
                var other => throw new ProviderRequestException($"tool_choice '{other}' is not one of auto, none, required."),
            };
        }
        else if (choice.String("type") == "function" && choice.TryGetProperty("function", out var function) && function.String("name") is { } forced)
        {
            type = "tool";
            name = forced;
        }
        else
        {
            throw new ProviderRequestException("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.");
        }

        json.WriteStartObject("tool_choice");
        json.WriteString("type", type);
        if (name is not null)
        {
            json.WriteString("name", name);
        }

        // Anthropic takes the flag on auto, any and tool only.
        if (serial && type != "none")
        {
            json.WriteBoolean("disable_parallel_tool_use", true);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Anthropic's documented way to get JSON: one tool whose input schema is the wanted shape, forced by
    /// <c>tool_choice</c>. The tool's input comes back as the message content.
    /// </summary>
    private static void WriteJsonModeTool(Utf8JsonWriter json, JsonElement format)
    {
        var spec = format.String("type") == "json_schema" && format.TryGetProperty("json_schema", out var s) && s.ValueKind == JsonValueKind.Object ? s : (JsonElement?)null;
        var name = spec?.String("name") is { Length: > 0 } given ? given : JsonModeToolName;
        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("description", spec?.String("description") ?? "Give the answer as this tool's input, a JSON object.");
        if (spec is { } schemaSpec && schemaSpec.Has("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
        {
            json.WritePropertyName("input_schema");
            schema.WriteTo(json);
        }
        else
        {
            json.WriteStartObject("input_schema");
            json.WriteString("type", "object");
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("tool_choice");
        json.WriteString("type", "tool");
        json.WriteString("name", name);
        json.WriteEndObject();
    }

    private static void CopyCacheControl(Utf8JsonWriter json, JsonElement source)
    {
        // Portkey lets OpenAI-shaped requests carry Anthropic's prompt-caching marks; they go where Anthropic reads them.
        if (source.Has("cache_control", out var cacheControl))
        {
            json.WritePropertyName("cache_control");
            cacheControl.WriteTo(json);
        }
    }

    /// <summary>One content block, already written; <see cref="PlainText"/> when it is a bare text block that may be sent as a string.</summary>
    private sealed record Block(byte[] Json, string? PlainText);

    private sealed class Turn(string role)
    {
        public string Role { get; } = role;

        public List<Block> Blocks { get; } = [];
    }

    /// <summary>The OpenAI messages regrouped into Anthropic's system prompt and alternating turns.</summary>
    private sealed class Conversation
    {
        private readonly List<Block> _system = [];
        private readonly List<Turn> _turns = [];

        public static Conversation Read(JsonElement messages)
        {
            var conversation = new Conversation();
            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                conversation.Add(message, $"messages[{index}]");
                index++;
            }

            return conversation;
        }

        public void WriteSystem(Utf8JsonWriter json)
        {
            if (_system.Count == 0)
            {
                return;
            }

            if (_system is [{ PlainText: { } text }])
            {
                json.WriteString("system", text);
                return;
            }

            json.WriteStartArray("system");
            foreach (var block in _system)
            {
                json.WriteRawValue(block.Json, skipInputValidation: true);
            }

            json.WriteEndArray();
        }

        public void WriteMessages(Utf8JsonWriter json)
        {
            json.WriteStartArray("messages");
            foreach (var turn in _turns)
            {
                json.WriteStartObject();
                json.WriteString("role", turn.Role);
                if (turn.Blocks is [{ PlainText: { } text }])
                {
                    json.WriteString("content", text);
                }
                else
                {
                    json.WriteStartArray("content");
                    foreach (var block in turn.Blocks)
                    {
                        json.WriteRawValue(block.Json, skipInputValidation: true);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        private void Add(JsonElement message, string path)
        {
            var role = message.String("role") ?? throw new ProviderRequestException($"{path}: 'role' is required.");
            switch (role)
            {
                case "system" or "developer":
                    _system.AddRange(TextBlocks(message, path));
                    break;
                case "user":
                    Append("user", UserBlocks(message, path));
                    break;
                case "assistant":
                    Append("assistant", AssistantBlocks(message, path));
                    break;
                case "tool":
                    Append("user", [ToolResult(message, path)]);
                    break;
                case "function":
                    throw new ProviderRequestException($"{path}: legacy 'function' messages cannot be sent to Anthropic; use 'tool_calls' and 'tool' messages.");
                default:
                    throw new ProviderRequestException($"{path}: unknown role '{role}'.");
            }
        }

        /// <summary>Adds blocks to the conversation, joining them to the previous turn when it has the same role.</summary>
        private void Append(string role, List<Block> blocks)
        {
            if (blocks.Count == 0)
            {
                return;
            }

            if (_turns.Count > 0 && _turns[^1].Role == role)
            {
                _turns[^1].Blocks.AddRange(blocks);
                return;
            }

            var turn = new Turn(role);
            turn.Blocks.AddRange(blocks);
            _turns.Add(turn);
        }

        private static List<Block> TextBlocks(JsonElement message, string path)
        {
            var blocks = new List<Block>();
            if (!message.Has("content", out var content))
            {
                return blocks;
            }

            if (content.ValueKind == JsonValueKind.String)
            {
                AddText(blocks, content.GetString()!, null);
                return blocks;
            }

            if (content.ValueKind != JsonValueKind.Array)
            {
                throw new ProviderRequestException($"{path}.content must be a string or an array of content parts.");
            }

            var index = 0;
            foreach (var part in content.EnumerateArray())
            {
                if (part.String("type") is not ("text" or "refusal"))
                {
                    throw new ProviderRequestException($"{path}.content[{index}]: only text parts are allowed here.");
                }

                AddText(blocks, part.String("text") ?? part.String("refusal") ?? "", part);
                index++;
            }

            return blocks;
        }

        private static List<Block> UserBlocks(JsonElement message, string path)
        {
            if (!message.Has("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                return TextBlocks(message, path);
            }

            var blocks = new List<Block>();
            var index = 0;
            foreach (var part in content.EnumerateArray())
            {
                var partPath = $"{path}.content[{index}]";
                switch (part.String("type"))
                {
                    case "text":
                        AddText(blocks, part.String("text") ?? "", part);
                        break;
                    case "image_url":
                        blocks.Add(Image(part, partPath));
                        break;
                    case "file":
                        blocks.Add(Document(part, partPath));
                        break;
                    case "input_audio":
                        throw new ProviderRequestException($"{partPath}: Anthropic does not take audio input.");
                    case var other:
                        throw new ProviderRequestException($"{partPath}: content part type '{other}' cannot be sent to Anthropic.");
                }

                index++;
            }

            return blocks;
        }

        private static List<Block> AssistantBlocks(JsonElement message, string path)
        {
            var blocks = TextBlocks(message, path);
            if (message.Has("function_call", out _))
            {
                throw new ProviderRequestException($"{path}: legacy 'function_call' cannot be sent to Anthropic; use 'tool_calls'.");
            }

            if (!message.Has("tool_calls", out var calls))
            {
                return blocks;
            }

            if (calls.ValueKind != JsonValueKind.Array)
            {
                throw new ProviderRequestException($"{path}.tool_calls must be an array.");
            }

            var index = 0;
            foreach (var call in calls.EnumerateArray())
            {
                var callPath = $"{path}.tool_calls[{index}]";
                var id = call.String("id") ?? throw new ProviderRequestException($"{callPath}: 'id' is required.");
                if (!call.TryGetProperty("function", out var function) || function.String("name") is not { } name)
                {
                    throw new ProviderRequestException($"{callPath}: 'function.name' is required.");
                }

                var arguments = function.String("arguments");
                blocks.Add(new Block(CompactJson.Write(json =>
                {
                    json.WriteStartObject();
                    json.WriteString("type", "tool_use");
                    json.WriteString("id", id);
                    json.WriteString("name", name);
                    json.WritePropertyName("input");
                    WriteArguments(json, arguments, callPath);
                    json.WriteEndObject();
                }), null));
                index++;
            }

            return blocks;
        }

        private static void WriteArguments(Utf8JsonWriter json, string? arguments, string path)
        {
            if (!AnthropicWire.TryWriteInput(json, arguments))
            {
                throw new ProviderRequestException($"{path}.function.arguments must be a JSON object for Anthropic.");
            }
        }

        private static Block ToolResult(JsonElement message, string path)
        {
            var id = message.String("tool_call_id") ?? throw new ProviderRequestException($"{path}: 'tool_call_id' is required.");
            var parts = TextBlocks(message, path);
            return new Block(CompactJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "tool_result");
                json.WriteString("tool_use_id", id);
                if (parts is [{ PlainText: { } text }])
                {
                    json.WriteString("content", text);
                }
                else if (parts.Count > 0)
                {
                    json.WriteStartArray("content");
                    foreach (var part in parts)
                    {
                        json.WriteRawValue(part.Json, skipInputValidation: true);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }), null);
        }

        /// <summary>Adds a text block; empty ones are left out because Anthropic refuses empty text blocks.</summary>
        private static void AddText(List<Block> blocks, string text, JsonElement? part)
        {
            if (text.Length == 0)
            {
                return;
            }

            var cached = part is { } p && p.Has("cache_control", out _);
            blocks.Add(new Block(CompactJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", text);
                if (part is { } source)
                {
                    CopyCacheControl(json, source);
                }

                json.WriteEndObject();
            }, text.Length + 64), cached ? null : text));
        }

        private static Block Image(JsonElement part, string path)
        {
            var url = OpenAiRequestReader.ImageUrl(part);
            if (string.IsNullOrEmpty(url))
            {
                throw new ProviderRequestException($"{path}: 'image_url.url' is required.");
            }

            return new Block(CompactJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "image");
                WriteSource(json, url, path, "image_url.url");
                CopyCacheControl(json, part);
                json.WriteEndObject();
            }, url.Length + 128), null);
        }

        /// <summary>OpenAI's file part with inline data (PDFs) as an Anthropic document block.</summary>
        private static Block Document(JsonElement part, string path)
        {
            var file = part.TryGetProperty("file", out var f) ? f : default;
            var data = file.String("file_data");
            if (string.IsNullOrEmpty(data))
            {
                throw new ProviderRequestException($"{path}: Anthropic cannot read OpenAI file ids; send the file inline as 'file.file_data' (a data: URL).");
            }

            return new Block(CompactJson.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "document");
                WriteSource(json, data, path, "file.file_data");
                if (file.String("filename") is { } title)
                {
                    json.WriteString("title", title);
                }

                CopyCacheControl(json, part);
                json.WriteEndObject();
            }, data.Length + 128), null);
        }

        /// <summary><c>data:</c> URLs become base64 sources; http(s) URLs become URL sources, which Anthropic fetches itself.</summary>
        private static void WriteSource(Utf8JsonWriter json, string url, string path, string field)
        {
            json.WriteStartObject("source");
            if (DataUrl.IsDataUrl(url))
            {
                if (!DataUrl.TryParse(url, out var data) || data.MediaType.Length == 0)
                {
                    throw new ProviderRequestException($"{path}: '{field}' must be a base64 data: URL with a media type (data:image/png;base64,…).");
                }

                json.WriteString("type", "base64");
                json.WriteString("media_type", data.MediaType);
                json.WriteString("data", data.Base64.Span);
            }
            else if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                json.WriteString("type", "url");
                json.WriteString("url", url);
            }
            else
            {
                throw new ProviderRequestException($"{path}: '{field}' must be a data: URL or an http(s) URL.");
            }

            json.WriteEndObject();
        }
    }
}
