using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Json;
using Switchyard.Providers.OpenAi;
using Switchyard.Providers.Streaming;

namespace Switchyard.Providers.Anthropic;

/// <summary>Anthropic answers (messages, model lists, errors) in OpenAI's shape.</summary>
internal static class AnthropicResponseTranslator
{
    /// <summary>An Anthropic message as an OpenAI <c>chat.completion</c>.</summary>
    /// <param name="jsonMode">The request asked for JSON, so the forced tool's input is the answer's content.</param>
    /// <exception cref="StreamProtocolException">the body is not an Anthropic message.</exception>
    public static byte[] Message(ReadOnlySpan<byte> body, long created, bool jsonMode)
    {
        using var document = ParseObject(body, "message");
        var message = document.RootElement;
        if (message.String("type") != "message" || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Anthropic answered with something that is not a message");
        }

        var text = new StringBuilder();
        var toolUses = new List<JsonElement>();
        string? jsonAnswer = null;
        foreach (var block in content.EnumerateArray())
        {
            switch (block.String("type"))
            {
                case "text":
                    text.Append(block.String("text"));
                    break;
                case "tool_use" when jsonMode:
                    jsonAnswer = block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}";
                    break;
                case "tool_use":
                    toolUses.Add(block);
                    break;

                // Thinking, redacted thinking and server tool blocks have no place in a chat completion.
                default:
                    break;
            }
        }

        var finishReason = AnthropicWire.FinishReason(message.String("stop_reason"));
        if (jsonAnswer is not null && finishReason == "tool_calls")
        {
            finishReason = "stop";
        }

        var answer = jsonAnswer ?? (text.Length > 0 || toolUses.Count == 0 ? text.ToString() : null);
        var toolCalls = toolUses.ConvertAll(AnthropicWire.ToolCall);
        var usage = message.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? AnthropicUsage.From(u).ToOpenAi() : (OpenAiUsage?)null;
        return OpenAiCompletion.Write(message.String("id") ?? "", created, message.String("model") ?? "", [new OpenAiChoice(0, answer, toolCalls, finishReason)], usage, body.Length + 256);
    }

    /// <summary>Anthropic's model list (<c>GET /v1/models</c>) as OpenAI's.</summary>
    public static byte[] Models(ReadOnlySpan<byte> body)
    {
        using var document = ParseObject(body, "model list");
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new StreamProtocolException("Anthropic's model list has no 'data' array");
        }

        return CompactJson.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var model in data.EnumerateArray())
            {
                json.WriteStartObject();
                json.WriteString("id", model.String("id") ?? "");
                json.WriteString("object", "model");
                var created = DateTimeOffset.TryParse(model.String("created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUnixTimeSeconds() : 0;
                json.WriteNumber("created", created);
                json.WriteString("owned_by", "anthropic");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }, body.Length);
    }

    /// <summary>
    /// Anthropic's <c>{"type":"error","error":{"type","message"}}</c> as OpenAI's error shape. Anthropic's error types are
    /// kept: they are the same words OpenAI clients already know (plus <c>overloaded_error</c> for its 529).
    /// </summary>
    public static byte[] Error(int status, ReadOnlySpan<byte> body)
    {
        string? type = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), AnthropicWire.DocumentOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                type = error.String("type");
                message = error.String("message");
            }
        }
        catch (JsonException)
        {
        }

        if (message is null && body.Length > 0 && body.Length <= 1024 && Encoding.UTF8.GetString(body) is var raw && !raw.TrimStart().StartsWith('<'))
        {
            message = raw.Trim();
        }

        return OpenAiDialect.ErrorBody(type ?? AnthropicWire.ErrorTypeFor(status), message is { Length: > 0 } ? message : $"Anthropic answered {status}", code: null);
    }

    private static JsonDocument ParseObject(ReadOnlySpan<byte> body, string what)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), AnthropicWire.DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new StreamProtocolException($"Anthropic's {what} is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new StreamProtocolException($"Anthropic's {what} is not a JSON object");
        }

        return document;
    }
}

/// <summary>
/// Anthropic's usage counted the OpenAI way: its <c>input_tokens</c> leave out cache reads and writes, OpenAI's
/// <c>prompt_tokens</c> count every prompt token, with cache reads repeated in <c>prompt_tokens_details.cached_tokens</c>.
/// </summary>
internal readonly record struct AnthropicUsage(int Input, int CacheCreation, int? CacheRead, int Output)
{
    public int PromptTokens => Input + CacheCreation + (CacheRead ?? 0);

    public static AnthropicUsage From(JsonElement usage) => new(
        usage.Int("input_tokens"),
        usage.Int("cache_creation_input_tokens"),
        usage.Has("cache_read_input_tokens", out _) ? usage.Int("cache_read_input_tokens") : null,
        usage.Int("output_tokens"));

    /// <summary>Takes what a <c>message_delta</c> reports: output tokens always, the other counters when present (they are running totals).</summary>
    public AnthropicUsage Update(JsonElement usage) => new(
        usage.Has("input_tokens", out _) ? usage.Int("input_tokens") : Input,
        usage.Has("cache_creation_input_tokens", out _) ? usage.Int("cache_creation_input_tokens") : CacheCreation,
        usage.Has("cache_read_input_tokens", out _) ? usage.Int("cache_read_input_tokens") : CacheRead,
        usage.Has("output_tokens", out _) ? usage.Int("output_tokens") : Output);

    /// <summary>The counts as OpenAI's <c>usage</c>; <c>cached_tokens</c> only when Anthropic reported cache reads.</summary>
    public OpenAiUsage ToOpenAi() => new(PromptTokens, Output, PromptTokens + Output, CacheRead);
}
