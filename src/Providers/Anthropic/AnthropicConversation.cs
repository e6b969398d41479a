using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Anthropic;

/// <summary>The OpenAI messages regrouped into Anthropic's system prompt and alternating turns.</summary>
internal sealed class AnthropicConversation
{
    private readonly List<Block> _system = [];
    private readonly List<Turn> _turns = [];

    public static AnthropicConversation Read(JsonElement messages)
    {
        var conversation = new AnthropicConversation();
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

    internal static void CopyCacheControl(Utf8JsonWriter json, JsonElement source)
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
}
