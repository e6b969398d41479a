using System.Text.Json;
using Switchyard.Providers.Json;

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
        using var document = ProviderJson.ParseRequest(openAiBody, AnthropicWire.DocumentOptions);
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

        var conversation = AnthropicConversation.Read(messages);
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
            AnthropicConversation.CopyCacheControl(json, tool);
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
}
