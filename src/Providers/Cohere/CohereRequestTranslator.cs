using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// An OpenAI chat-completions body as a Cohere v2 <c>/chat</c> body. The v2 API is close to OpenAI's: the same roles,
/// <c>tool_calls</c> / <c>tool_call_id</c>, function tools and <c>image_url</c> parts. What differs: <c>top_p</c> is
/// <c>p</c>, <c>top_k</c> is <c>k</c>, <c>stop</c> is <c>stop_sequences</c>, <c>tool_choice</c> is <c>REQUIRED</c> /
/// <c>NONE</c> (a named function is expressed by offering only that tool, with <c>REQUIRED</c>), an assistant's text
/// next to its tool calls is its <c>tool_plan</c>, and JSON schemas go in <c>response_format.json_schema</c>.
/// Cohere returns one generation, so <c>n</c> above 1 is refused.
/// </summary>
internal static class CohereRequestTranslator
{
    public static byte[] Create(ReadOnlyMemory<byte> openAiBody, string model, bool stream)
    {
        using var document = ProviderJson.ParseRequest(openAiBody, quoteReason: false);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("'messages' is required and must be an array.");
        }

        if (root.TryGetProperty("n", out var n) && n.ValueKind == JsonValueKind.Number && (!n.TryGetInt32(out var count) || count != 1))
        {
            throw new ProviderRequestException("Cohere returns a single choice; 'n' must be 1.");
        }

        var forced = ForcedTool(root);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 128);
        using (var json = new Utf8JsonWriter(buffer, CompactJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("model", model);
            WriteMessages(json, messages);
            WriteTools(json, root, forced);
            WriteOptions(json, root);
            if (stream)
            {
                json.WriteBoolean("stream", true);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMessages(Utf8JsonWriter json, JsonElement messages)
    {
        json.WriteStartArray("messages");
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.ValueKind == JsonValueKind.Object ? message.String("role") : null;
            switch (role)
            {
                case "system" or "developer":
                    json.WriteStartObject();
                    json.WriteString("role", "system");
                    json.WriteString("content", Text(message));
                    json.WriteEndObject();
                    break;
                case "user":
                    json.WriteStartObject();
                    json.WriteString("role", "user");
                    WriteUserContent(json, message);
                    json.WriteEndObject();
                    break;
                case "assistant":
                    WriteAssistant(json, message);
                    break;
                case "tool":
                    json.WriteStartObject();
                    json.WriteString("role", "tool");
                    json.WriteString("tool_call_id", message.String("tool_call_id") ?? throw new ProviderRequestException($"messages[{index}]: a tool message needs 'tool_call_id'."));
                    json.WriteString("content", Text(message));
                    json.WriteEndObject();
                    break;
                case null:
                    throw new ProviderRequestException($"messages[{index}] must be an object with a string 'role'.");
                default:
                    throw new ProviderRequestException($"messages[{index}]: role '{role}' is not supported by Cohere (tool results go in 'tool' messages).");
            }

            index++;
        }

        json.WriteEndArray();
    }

    private static void WriteUserContent(Utf8JsonWriter json, JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind is JsonValueKind.String or JsonValueKind.Null)
        {
            json.WriteString("content", Text(message));
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("A message's 'content' must be a string, an array of content parts or null.");
        }

        json.WriteStartArray("content");
        foreach (var part in content.EnumerateArray())
        {
            switch (part.String("type"))
            {
                case "text":
                    json.WriteStartObject();
                    json.WriteString("type", "text");
                    json.WriteString("text", part.String("text") ?? "");
                    json.WriteEndObject();
                    break;
                case "image_url":
                    // Cohere takes OpenAI's image part as is: a data: URL or a web URL, with an optional detail level.
                    var image = part.TryGetProperty("image_url", out var i) ? i : default;
                    var url = OpenAiRequestReader.ImageUrl(part);
                    json.WriteStartObject();
                    json.WriteString("type", "image_url");
                    json.WriteStartObject("image_url");
                    json.WriteString("url", url ?? throw new ProviderRequestException("An image_url part needs 'image_url.url'."));
                    if (image.String("detail") is { } detail)
                    {
                        json.WriteString("detail", detail);
                    }

                    json.WriteEndObject();
                    json.WriteEndObject();
                    break;
                case var type:
                    throw new ProviderRequestException($"Content parts of type '{type}' are not supported by Cohere; it takes text and image_url parts.");
            }
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// An assistant turn. With tool calls, its text is the <c>tool_plan</c> Cohere produced before calling (the adapter
    /// turns a plan into content on the way back, so this is the round trip). An empty turn is left out: Cohere
    /// refuses a message without content.
    /// </summary>
    private static void WriteAssistant(Utf8JsonWriter json, JsonElement message)
    {
        var text = Text(message);
        var hasCalls = message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0;
        if (!hasCalls && text.Length == 0)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("role", "assistant");
        if (!hasCalls)
        {
            json.WriteString("content", text);
            json.WriteEndObject();
            return;
        }

        if (text.Length > 0)
        {
            json.WriteString("tool_plan", text);
        }

        json.WriteStartArray("tool_calls");
        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.String("name") is not { } name)
            {
                throw new ProviderRequestException("An assistant tool call needs 'function.name'.");
            }

            json.WriteStartObject();
            json.WriteString("id", call.String("id") ?? throw new ProviderRequestException("An assistant tool call needs 'id'."));
            json.WriteString("type", "function");
            json.WriteStartObject("function");
            json.WriteString("name", name);
            json.WriteString("arguments", function.String("arguments") is { Length: > 0 } arguments ? arguments : "{}");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The text of a message: the string content, or its text parts joined.</summary>
    private static string Text(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var texts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.String("type") is "text" && part.String("text") is { } text)
            {
                texts.Add(text);
            }
        }

        return string.Join("", texts);
    }

    /// <summary>The function a <c>tool_choice</c> object names, if it names one.</summary>
    private static string? ForcedTool(JsonElement root) =>
        root.TryGetProperty("tool_choice", out var choice) && choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function)
            ? function.String("name") ?? throw new ProviderRequestException("tool_choice names a function without 'name'.")
            : null;

    private static void WriteTools(Utf8JsonWriter json, JsonElement root, string? forced)
    {
        var hasTools = root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        if (hasTools)
        {
            var strict = false;
            var found = false;
            json.WriteStartArray("tools");
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.String("type") is not "function" || !tool.TryGetProperty("function", out var function) || function.String("name") is not { } name)
                {
                    throw new ProviderRequestException("Cohere takes only function tools: {\"type\":\"function\",\"function\":{\"name\":…}}.");
                }

                if (forced is not null && name != forced)
                {
                    continue;
                }

                found = true;
                json.WriteStartObject();
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", name);
                if (function.String("description") is { } description)
                {
                    json.WriteString("description", description);
                }

                if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
                {
                    json.WritePropertyName("parameters");
                    parameters.WriteTo(json);
                }

                json.WriteEndObject();
                json.WriteEndObject();
                strict |= function.TryGetProperty("strict", out var s) && s.ValueKind == JsonValueKind.True;
            }

            json.WriteEndArray();
            if (forced is not null && !found)
            {
                throw new ProviderRequestException($"tool_choice names '{forced}', which is not among the tools.");
            }

            // Cohere's strictness is per request, not per tool: one strict tool makes them all strict.
            if (strict)
            {
                json.WriteBoolean("strict_tools", true);
            }
        }

        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var mode = choice.ValueKind switch
        {
            JsonValueKind.String => choice.GetString() switch
            {
                "auto" => null,
                "none" => "NONE",
                "required" => "REQUIRED",
                var other => throw new ProviderRequestException($"tool_choice '{other}' is not one of auto, none, required."),
            },
            JsonValueKind.Object => "REQUIRED",
            _ => throw new ProviderRequestException("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}."),
        };

        // Cohere refuses tool_choice without tools.
        if (mode is not null && hasTools)
        {
            json.WriteString("tool_choice", mode);
        }
    }

    private static void WriteOptions(Utf8JsonWriter json, JsonElement root)
    {
        void CopyNumber(string from, string to)
        {
            if (root.TryGetProperty(from, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw new ProviderRequestException($"'{from}' must be a number.");
                }

                json.WritePropertyName(to);
                value.WriteTo(json);
            }
        }

        CopyNumber(root.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind != JsonValueKind.Null ? "max_completion_tokens" : "max_tokens", "max_tokens");
        CopyNumber("temperature", "temperature");
        CopyNumber("top_p", "p");
        CopyNumber("top_k", "k");
        CopyNumber("seed", "seed");
        CopyNumber("frequency_penalty", "frequency_penalty");
        CopyNumber("presence_penalty", "presence_penalty");

        if (OpenAiRequestReader.StopSequences(root) is { } stops)
        {
            json.WriteStartArray("stop_sequences");
            stops.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }

        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            switch (format.String("type"))
            {
                case "json_object":
                    json.WriteStartObject("response_format");
                    json.WriteString("type", "json_object");
                    json.WriteEndObject();
                    break;
                case "json_schema":
                    json.WriteStartObject("response_format");
                    json.WriteString("type", "json_object");
                    if (format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                        && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                    {
                        json.WritePropertyName("json_schema");
                        schema.WriteTo(json);
                    }

                    json.WriteEndObject();
                    break;
                case "text" or null:
                    break;
                case var other:
                    throw new ProviderRequestException($"response_format type '{other}' is not supported by Cohere.");
            }
        }
    }
}
