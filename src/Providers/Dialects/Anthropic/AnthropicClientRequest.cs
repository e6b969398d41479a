using System.Text;
using System.Text.Json;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Dialects.Anthropic;

/// <summary>
/// A Messages request from an Anthropic client as an OpenAI chat-completions request, for providers that are not
/// Anthropic. <c>tool_result</c> blocks become <c>tool</c> messages placed before the rest of their user turn, because
/// OpenAI wants tool results right after the assistant message that called the tools.
/// </summary>
internal static class AnthropicClientRequest
{
    /// <exception cref="ProviderRequestException">the request uses something only Anthropic can do (server tools, file ids, …).</exception>
    public static byte[] ToOpenAi(ReadOnlySpan<byte> body)
    {
        using (var document = ProviderJson.ParseRequest(body, AnthropicWire.DocumentOptions.MaxDepth))
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                throw new ProviderRequestException("messages: Field required");
            }

            var hasTools = root.Has("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
            return CompactJson.Write(json =>
            {
                json.WriteStartObject();
                if (root.TryGetProperty("model", out var model))
                {
                    json.WritePropertyName("model");
                    model.WriteTo(json);
                }

                json.WriteStartArray("messages");
                WriteSystem(json, root);
                var index = 0;
                foreach (var message in messages.EnumerateArray())
                {
                    WriteMessage(json, message, $"messages.{index}");
                    index++;
                }

                json.WriteEndArray();
                foreach (var name in (ReadOnlySpan<string>)["max_tokens", "temperature", "top_p"])
                {
                    if (root.Has(name, out var value))
                    {
                        json.WritePropertyName(name);
                        value.WriteTo(json);
                    }
                }

                if (root.Has("stop_sequences", out var stop) && stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() > 0)
                {
                    json.WritePropertyName("stop");
                    stop.WriteTo(json);
                }

                if (root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
                {
                    json.WriteBoolean("stream", true);
                }

                if (root.TryGetProperty("metadata", out var metadata) && metadata.String("user_id") is { } user)
                {
                    json.WriteString("user", user);
                }

                if (hasTools)
                {
                    WriteTools(json, tools);
                    WriteToolChoice(json, root);
                }

                json.WriteEndObject();
            }, body.Length + 256);
        }
    }

    private static void WriteSystem(Utf8JsonWriter json, JsonElement root)
    {
        if (root.Has("system", out var system))
        {
            WriteSystemMessage(json, system, "system");
        }
    }

    private static void WriteSystemMessage(Utf8JsonWriter json, JsonElement system, string path)
    {
        string text;
        if (system.ValueKind == JsonValueKind.String)
        {
            text = system.GetString()!;
        }
        else if (system.ValueKind == JsonValueKind.Array)
        {
            // Many OpenAI-compatible servers take only a string system prompt, so the blocks are joined.
            text = string.Join("\n", system.EnumerateArray().Select(block => block.String("type") == "text"
                ? block.String("text") ?? ""
                : throw new ProviderRequestException($"{path}: only text blocks are allowed.")));
        }
        else
        {
            throw new ProviderRequestException($"{path}: must be a string or an array of text blocks.");
        }

        if (text.Length == 0)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("role", "system");
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter json, JsonElement message, string path)
    {
        var role = message.String("role");
        if (role is not ("user" or "assistant" or "system"))
        {
            throw new ProviderRequestException($"{path}.role: must be 'user', 'assistant' or 'system'.");
        }

        if (role == "system")
        {
            // Newer Anthropic API versions take system messages inside the conversation; OpenAI does too.
            WriteSystemMessage(json, message.TryGetProperty("content", out var system) ? system : default, path + ".content");
            return;
        }

        if (!message.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            throw new ProviderRequestException($"{path}.content: must be a string or an array of content blocks.");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteStartObject();
            json.WriteString("role", role);
            json.WriteString("content", content.GetString());
            json.WriteEndObject();
            return;
        }

        if (role == "assistant")
        {
            WriteAssistant(json, content, path);
        }
        else
        {
            WriteUser(json, content, path);
        }
    }

    private static void WriteAssistant(Utf8JsonWriter json, JsonElement content, string path)
    {
        var text = new StringBuilder();
        var toolUses = new List<JsonElement>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            switch (block.String("type"))
            {
                case "text":
                    text.Append(block.String("text"));
                    break;
                case "tool_use":
                    toolUses.Add(block);
                    break;
                case "thinking" or "redacted_thinking":
                    // Reasoning belongs to the model that produced it; other providers cannot take it back.
                    break;
                case var other:
                    throw new ProviderRequestException($"{path}.content.{index}: '{other}' blocks can only be sent to Anthropic.");
            }

            index++;
        }

        OpenAiCompletion.WriteMessage(json, text.Length > 0 || toolUses.Count == 0 ? text.ToString() : null, toolUses.ConvertAll(AnthropicWire.ToolCall));
    }

    /// <summary>Tool results first, each its own <c>tool</c> message; then the turn's other blocks as one user message.</summary>
    private static void WriteUser(Utf8JsonWriter json, JsonElement content, string path)
    {
        var parts = new List<JsonElement>();
        var resultImages = new List<JsonElement>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            if (block.String("type") == "tool_result")
            {
                WriteToolResult(json, block, $"{path}.content.{index}", resultImages);
            }
            else
            {
                parts.Add(block);
            }

            index++;
        }

        // OpenAI tool messages carry text only; images a tool returned follow in the user message.
        parts.InsertRange(0, resultImages);
        if (parts.Count == 0)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("role", "user");
        if (parts is [var only] && only.String("type") == "text")
        {
            json.WriteString("content", only.String("text") ?? "");
        }
        else
        {
            json.WriteStartArray("content");
            foreach (var part in parts)
            {
                WritePart(json, part, path);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private static void WriteToolResult(Utf8JsonWriter json, JsonElement block, string path, List<JsonElement> images)
    {
        var id = block.String("tool_use_id") ?? throw new ProviderRequestException($"{path}.tool_use_id: Field required");
        string text;
        if (!block.Has("content", out var content))
        {
            text = "";
        }
        else if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString()!;
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            var texts = new List<string>();
            foreach (var part in content.EnumerateArray())
            {
                switch (part.String("type"))
                {
                    case "text":
                        texts.Add(part.String("text") ?? "");
                        break;
                    case "image":
                        images.Add(part);
                        break;
                    case var other:
                        throw new ProviderRequestException($"{path}.content: '{other}' blocks in a tool result can only be sent to Anthropic.");
                }
            }

            text = string.Join("\n", texts);
        }
        else
        {
            throw new ProviderRequestException($"{path}.content: must be a string or an array of blocks.");
        }

        json.WriteStartObject();
        json.WriteString("role", "tool");
        json.WriteString("tool_call_id", id);
        json.WriteString("content", text);
        json.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter json, JsonElement block, string path)
    {
        switch (block.String("type"))
        {
            case "text":
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", block.String("text") ?? "");
                json.WriteEndObject();
                break;
            case "image":
                json.WriteStartObject();
                json.WriteString("type", "image_url");
                json.WriteStartObject("image_url");
                json.WriteString("url", SourceUrl(block, path, "image"));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case "document" when block.TryGetProperty("source", out var source) && source.String("type") == "text":
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", source.String("data") ?? "");
                json.WriteEndObject();
                break;
            case "document":
                json.WriteStartObject();
                json.WriteString("type", "file");
                json.WriteStartObject("file");
                json.WriteString("file_data", SourceUrl(block, path, "document"));
                if (block.String("title") is { } title)
                {
                    json.WriteString("filename", title);
                }

                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case var other:
                throw new ProviderRequestException($"{path}.content: '{other}' blocks can only be sent to Anthropic.");
        }
    }

    /// <summary>A base64 source as a data: URL; a URL source as itself (images only: OpenAI files take inline data).</summary>
    private static string SourceUrl(JsonElement block, string path, string kind)
    {
        var source = block.TryGetProperty("source", out var s) ? s : default;
        return source.String("type") switch
        {
            "base64" => $"data:{source.String("media_type")};base64,{source.String("data")}",
            "url" when kind == "image" => source.String("url") ?? "",
            var other => throw new ProviderRequestException($"{path}.content: {kind} source '{other}' can only be sent to Anthropic."),
        };
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement tools)
    {
        json.WriteStartArray("tools");
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            // Server tools (web search, code execution, bash, …) carry a versioned type and run inside Anthropic.
            if (tool.String("type") is { } type && type != "custom")
            {
                throw new ProviderRequestException($"tools.{index}: the server tool '{type}' runs only on Anthropic.");
            }

            json.WriteStartObject();
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", tool.String("name") ?? throw new ProviderRequestException($"tools.{index}.name: Field required"));
            if (tool.String("description") is { } description)
            {
                json.WriteString("description", description);
            }

            if (tool.Has("input_schema", out var schema))
            {
                json.WritePropertyName("parameters");
                schema.WriteTo(json);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            index++;
        }

        json.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.Has("tool_choice", out var choice))
        {
            return;
        }

        switch (choice.String("type"))
        {
            case "auto":
                json.WriteString("tool_choice", "auto");
                break;
            case "any":
                json.WriteString("tool_choice", "required");
                break;
            case "none":
                json.WriteString("tool_choice", "none");
                break;
            case "tool":
                json.WriteStartObject("tool_choice");
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", choice.String("name") ?? throw new ProviderRequestException("tool_choice.name: Field required"));
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case var other:
                throw new ProviderRequestException($"tool_choice.type: '{other}' is not one of auto, any, tool, none.");
        }

        if (choice.TryGetProperty("disable_parallel_tool_use", out var serial) && serial.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("parallel_tool_calls", false);
        }
    }
}
