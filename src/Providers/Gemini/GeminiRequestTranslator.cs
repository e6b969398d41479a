using System.Buffers;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// An OpenAI chat-completions body as a Gemini <c>generateContent</c> body: system messages become
/// <c>systemInstruction</c>, the conversation becomes <c>contents</c> (user / model turns, consecutive turns of one role
/// merged, as Gemini wants them alternating), tools become <c>functionDeclarations</c>, and the sampling fields go to
/// <c>generationConfig</c>. Fields Gemini has no counterpart for (<c>user</c>, <c>logprobs</c>, <c>parallel_tool_calls</c>,
/// <c>stream_options</c>, …) are dropped.
/// </summary>
internal static class GeminiRequestTranslator
{
    public static byte[] Create(ReadOnlyMemory<byte> openAiBody)
    {
        using var document = ProviderJson.ParseRequest(openAiBody, quoteReason: false);
        var root = document.RootElement;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("'messages' is required and must be an array.");
        }

        var toolNames = ToolCallNames(messages);
        var buffer = new ArrayBufferWriter<byte>(openAiBody.Length + 256);
        using (var json = new Utf8JsonWriter(buffer, CompactJson.Options))
        {
            json.WriteStartObject();
            WriteContents(json, messages, toolNames);
            WriteSystemInstruction(json, messages);
            WriteTools(json, root);
            WriteToolConfig(json, root);
            WriteGenerationConfig(json, root);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Gemini's function responses carry the function's name, OpenAI's tool messages only the call id: map one to the other from the history.</summary>
    private static Dictionary<string, string> ToolCallNames(JsonElement messages)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("tool_calls", out var calls)
                && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    if (call.String("id") is { } id && call.TryGetProperty("function", out var function) && function.String("name") is { } name)
                    {
                        names[id] = name;
                    }
                }
            }
        }

        return names;
    }

    private static void WriteContents(Utf8JsonWriter json, JsonElement messages, Dictionary<string, string> toolNames)
    {
        json.WriteStartArray("contents");
        string? openRole = null;
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = Role(message, index);
            index++;
            if (role is "system" or "developer")
            {
                continue;
            }

            var geminiRole = role == "assistant" ? "model" : "user";
            if (!HasParts(message, role))
            {
                continue;
            }

            if (geminiRole != openRole)
            {
                if (openRole is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("role", geminiRole);
                json.WriteStartArray("parts");
                openRole = geminiRole;
            }

            switch (role)
            {
                case "user":
                    WriteContentParts(json, message, allowMedia: true);
                    break;
                case "assistant":
                    WriteContentParts(json, message, allowMedia: false);
                    WriteFunctionCalls(json, message);
                    break;
                case "tool":
                    var id = message.String("tool_call_id") ?? throw new ProviderRequestException($"messages[{index - 1}]: a tool message needs 'tool_call_id'.");
                    var name = toolNames.GetValueOrDefault(id) ?? message.String("name")
                        ?? throw new ProviderRequestException($"messages[{index - 1}]: no earlier assistant tool call has the id '{id}'; Google Gemini needs the function's name for a tool result.");
                    WriteFunctionResponse(json, name, message);
                    break;
                case "function":
                    WriteFunctionResponse(json, message.String("name") ?? throw new ProviderRequestException($"messages[{index - 1}]: a function message needs 'name'."), message);
                    break;
                default:
                    throw new ProviderRequestException($"messages[{index - 1}]: role '{role}' is not supported.");
            }
        }

        if (openRole is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static string Role(JsonElement message, int index) =>
        message.ValueKind == JsonValueKind.Object && message.String("role") is { } role
            ? role
            : throw new ProviderRequestException($"messages[{index}] must be an object with a string 'role'.");

    /// <summary>Gemini refuses a turn without parts, so messages that would produce none (an empty assistant turn) are left out.</summary>
    private static bool HasParts(JsonElement message, string role)
    {
        if (role is "tool" or "function")
        {
            return true;
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0)
        {
            return true;
        }

        if (!message.TryGetProperty("content", out var content))
        {
            return false;
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!.Length > 0,
            JsonValueKind.Array => content.GetArrayLength() > 0,
            _ => false,
        };
    }

    private static void WriteSystemInstruction(Utf8JsonWriter json, JsonElement messages)
    {
        var started = false;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.String("role") is not ("system" or "developer"))
            {
                continue;
            }

            foreach (var text in Texts(message))
            {
                if (!started)
                {
                    json.WriteStartObject("systemInstruction");
                    json.WriteStartArray("parts");
                    started = true;
                }

                json.WriteStartObject();
                json.WriteString("text", text);
                json.WriteEndObject();
            }
        }

        if (started)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    /// <summary>The text of a message's content: the string, or each text part.</summary>
    private static IEnumerable<string> Texts(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            yield break;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            if (content.GetString() is { Length: > 0 } text)
            {
                yield return text;
            }

            yield break;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var part in content.EnumerateArray())
        {
            if (part.String("type") is "text" && part.String("text") is { Length: > 0 } text)
            {
                yield return text;
            }
        }
    }

    private static void WriteContentParts(Utf8JsonWriter json, JsonElement message, bool allowMedia)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            WriteText(json, content.GetString()!);
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new ProviderRequestException("A message's 'content' must be a string, an array of content parts or null.");
        }

        foreach (var part in content.EnumerateArray())
        {
            var type = part.String("type");
            switch (type)
            {
                case "text":
                    WriteText(json, part.String("text") ?? "");
                    break;
                case "refusal" when !allowMedia:
                    WriteText(json, part.String("refusal") ?? "");
                    break;
                case "image_url" when allowMedia:
                    var url = OpenAiRequestReader.ImageUrl(part);
                    WriteMedia(json, url ?? throw new ProviderRequestException("An image_url part needs 'image_url.url'."), "image");
                    break;
                case "input_audio" when allowMedia:
                    WriteAudio(json, part);
                    break;
                case "file" when allowMedia:
                    var file = part.TryGetProperty("file", out var f) ? f : default;
                    if (file.ValueKind != JsonValueKind.Object || file.String("file_data") is not { } fileData)
                    {
                        throw new ProviderRequestException("Google Gemini takes file parts as 'file.file_data' data URLs; OpenAI file ids cannot be sent to it.");
                    }

                    WriteMedia(json, fileData, "file");
                    break;
                default:
                    throw new ProviderRequestException($"Content parts of type '{type}' are not supported by Google Gemini in {message.String("role")} messages.");
            }
        }
    }

    private static void WriteText(Utf8JsonWriter json, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        json.WriteStartObject();
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    /// <summary>
    /// A <c>data:</c> URL goes inline (<c>inlineData</c>); an http(s) or <c>gs://</c> URL goes by reference (<c>fileData</c>),
    /// with a MIME type guessed from the extension when it has a known one, since Gemini fetches it itself.
    /// </summary>
    private static void WriteMedia(Utf8JsonWriter json, string url, string what)
    {
        if (DataUrl.IsDataUrl(url))
        {
            if (!DataUrl.TryParse(url, out var data))
            {
                throw new ProviderRequestException($"An {what} data URL must be base64: data:<mime type>;base64,<data>.");
            }

            json.WriteStartObject();
            json.WriteStartObject("inlineData");
            json.WriteString("mimeType", data.MediaType.Length == 0 ? "application/octet-stream" : data.MediaType);
            json.WriteString("data", data.Base64.Span);
            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "gs"))
        {
            throw new ProviderRequestException($"An {what} URL must be a data: URL or an http(s) URL.");
        }

        json.WriteStartObject();
        json.WriteStartObject("fileData");
        if (MimeTypeOf(uri.AbsolutePath) is { } guessed)
        {
            json.WriteString("mimeType", guessed);
        }

        json.WriteString("fileUri", url);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string? MimeTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".gif" => "image/gif",
        ".heic" => "image/heic",
        ".heif" => "image/heif",
        ".pdf" => "application/pdf",
        ".mp3" => "audio/mp3",
        ".wav" => "audio/wav",
        ".mp4" => "video/mp4",
        _ => null,
    };

    private static void WriteAudio(Utf8JsonWriter json, JsonElement part)
    {
        if (!part.TryGetProperty("input_audio", out var audio) || audio.String("data") is not { } data || audio.String("format") is not { } format)
        {
            throw new ProviderRequestException("An input_audio part needs 'input_audio.data' and 'input_audio.format'.");
        }

        json.WriteStartObject();
        json.WriteStartObject("inlineData");
        json.WriteString("mimeType", "audio/" + format);
        json.WriteString("data", data);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteFunctionCalls(Utf8JsonWriter json, JsonElement message)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.String("name") is not { } name)
            {
                throw new ProviderRequestException("An assistant tool call needs 'function.name'.");
            }

            json.WriteStartObject();
            json.WriteStartObject("functionCall");
            json.WriteString("name", name);
            json.WritePropertyName("args");
            WriteArguments(json, function.String("arguments"), name);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    /// <summary>OpenAI sends arguments as a JSON string; Gemini wants the object itself.</summary>
    private static void WriteArguments(Utf8JsonWriter json, string? arguments, string name)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            json.WriteStartObject();
            json.WriteEndObject();
            return;
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            if (parsed.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ProviderRequestException($"The arguments of the tool call to '{name}' must be a JSON object for Google Gemini.");
            }

            parsed.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            throw new ProviderRequestException($"The arguments of the tool call to '{name}' are not valid JSON.");
        }
    }

    /// <summary>
    /// Gemini's <c>functionResponse.response</c> is an object: a tool result that is a JSON object goes as itself,
    /// anything else as <c>{"content": text}</c>.
    /// </summary>
    private static void WriteFunctionResponse(Utf8JsonWriter json, string name, JsonElement message)
    {
        var text = string.Join("", Texts(message));
        json.WriteStartObject();
        json.WriteStartObject("functionResponse");
        json.WriteString("name", name);
        json.WritePropertyName("response");
        if (TryParseObject(text) is { } parsed)
        {
            using (parsed)
            {
                parsed.RootElement.WriteTo(json);
            }
        }
        else
        {
            json.WriteStartObject();
            json.WriteString("content", text);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static JsonDocument? TryParseObject(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteTools(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            return;
        }

        json.WriteStartArray("tools");
        json.WriteStartObject();
        json.WriteStartArray("functionDeclarations");
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.String("type") is not "function" || !tool.TryGetProperty("function", out var function) || function.String("name") is not { } name)
            {
                throw new ProviderRequestException("Google Gemini takes only function tools: {\"type\":\"function\",\"function\":{\"name\":…}}.");
            }

            json.WriteStartObject();
            json.WriteString("name", name);
            if (function.String("description") is { } description)
            {
                json.WriteString("description", description);
            }

            if (function.TryGetProperty("parameters", out var parameters) && GeminiSchema.HasProperties(parameters))
            {
                json.WritePropertyName("parameters");
                GeminiSchema.Write(json, parameters);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteToolConfig(Utf8JsonWriter json, JsonElement root)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        string mode;
        string? only = null;
        if (choice.ValueKind == JsonValueKind.String)
        {
            mode = choice.GetString() switch
            {
                "auto" => "AUTO",
                "none" => "NONE",
                "required" => "ANY",
                var other => throw new ProviderRequestException($"tool_choice '{other}' is not one of auto, none, required."),
            };
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function) && function.String("name") is { } name)
        {
            mode = "ANY";
            only = name;
        }
        else
        {
            throw new ProviderRequestException("tool_choice must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}.");
        }

        json.WriteStartObject("toolConfig");
        json.WriteStartObject("functionCallingConfig");
        json.WriteString("mode", mode);
        if (only is not null)
        {
            json.WriteStartArray("allowedFunctionNames");
            json.WriteStringValue(only);
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter json, JsonElement root)
    {
        var started = false;
        void Start()
        {
            if (!started)
            {
                json.WriteStartObject("generationConfig");
                started = true;
            }
        }

        void CopyNumber(string from, string to)
        {
            if (root.TryGetProperty(from, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                if (value.ValueKind != JsonValueKind.Number)
                {
                    throw new ProviderRequestException($"'{from}' must be a number.");
                }

                Start();
                json.WritePropertyName(to);
                value.WriteTo(json);
            }
        }

        CopyNumber("temperature", "temperature");
        CopyNumber("top_p", "topP");
        CopyNumber("top_k", "topK");
        CopyNumber(root.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind != JsonValueKind.Null ? "max_completion_tokens" : "max_tokens", "maxOutputTokens");
        CopyNumber("n", "candidateCount");
        CopyNumber("seed", "seed");
        CopyNumber("presence_penalty", "presencePenalty");
        CopyNumber("frequency_penalty", "frequencyPenalty");

        if (OpenAiRequestReader.StopSequences(root) is { } stops)
        {
            Start();
            json.WriteStartArray("stopSequences");
            stops.ForEach(json.WriteStringValue);
            json.WriteEndArray();
        }

        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            switch (format.String("type"))
            {
                case "json_object":
                    Start();
                    json.WriteString("responseMimeType", "application/json");
                    break;
                case "json_schema":
                    Start();
                    json.WriteString("responseMimeType", "application/json");
                    if (format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                        && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                    {
                        json.WritePropertyName("responseSchema");
                        GeminiSchema.Write(json, schema);
                    }

                    break;
                case "text" or null:
                    break;
                case var other:
                    throw new ProviderRequestException($"response_format type '{other}' is not supported by Google Gemini.");
            }
        }

        if (started)
        {
            json.WriteEndObject();
        }
    }
}
