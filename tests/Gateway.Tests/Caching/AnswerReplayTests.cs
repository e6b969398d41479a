using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Gateway.Caching;
using Switchyard.Providers.Dialects.Anthropic;
using Switchyard.State;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class AnswerReplayTests
{
    private static readonly ReplayStamp Stamp = new("chatcmpl-fresh", 1_700_000_000);

    /// <summary>A chat completion with everything a replay must carry: two choices, reasoning, tool calls, logprobs, a refusal field, annotations, usage details.</summary>
    private const string RichCompletion = """
        {
          "id": "chatcmpl-original",
          "object": "chat.completion",
          "created": 1741570283,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": "Let me check the weather in Zürich.",
                "reasoning_content": "The user wants the weather; call the tool.",
                "tool_calls": [
                  {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Zürich\",\"unit\":\"c\"}"}},
                  {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
                ],
                "refusal": null,
                "annotations": []
              },
              "logprobs": {"content": [{"token": "Let", "logprob": -0.01, "bytes": [76, 101, 116], "top_logprobs": []}], "refusal": null},
              "finish_reason": "tool_calls"
            },
            {
              "index": 1,
              "message": {"role": "assistant", "content": "It is sunny.", "refusal": null, "annotations": []},
              "logprobs": null,
              "finish_reason": "length"
            }
          ],
          "usage": {
            "prompt_tokens": 40,
            "completion_tokens": 31,
            "total_tokens": 71,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 9, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
          },
          "service_tier": "default",
          "system_fingerprint": "fp_eb9dce56a8"
        }
        """;

    private static CachedAnswer Entry(string operation, CachedAnswerShape shape, byte[] body) =>
        new("ws-a", new string('0', 64), "", operation, "openai", "gpt-4o", shape, body, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1));

    private static CachedAnswer Json(string body, string operation = "chat/completions") => Entry(operation, CachedAnswerShape.Json, Encoding.UTF8.GetBytes(body));

    private static CachedAnswer Stream(IEnumerable<string> chunks, string operation = "chat/completions") =>
        Entry(operation, CachedAnswerShape.Stream, CachedChunks.Encode([.. chunks.Select(Encoding.UTF8.GetBytes)]));

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>What a replay of <paramref name="original"/> must equal: its id and created the stamp's, every prompt token cached.</summary>
    private static JsonNode Replayed(string original)
    {
        var node = JsonNode.Parse(original)!;
        node["id"] = Stamp.Id;
        node["created"] = Stamp.Created;
        if (node["usage"] is JsonObject usage)
        {
            if (usage["prompt_tokens_details"] is not JsonObject details)
            {
                usage["prompt_tokens_details"] = details = [];
            }

            details["cached_tokens"] = usage["prompt_tokens"]!.GetValue<int>();
        }

        return node;
    }

    private static void AssertJsonEqual(JsonNode expected, byte[] actual) =>
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(actual)), $"expected {expected.ToJsonString()}\nactual   {Text(actual)}");

    [Fact]
    public void AsJson_JsonEntry_IsTheStoredBytesButTheStampAndCachedUsage()
    {
        var json = Text(AnswerReplay.AsJson(Json(RichCompletion), Stamp));

        Assert.Equal(
            RichCompletion
                .Replace("\"chatcmpl-original\"", "\"chatcmpl-fresh\"", StringComparison.Ordinal)
                .Replace("1741570283", "1700000000", StringComparison.Ordinal)
                .Replace("\"cached_tokens\": 0", "\"cached_tokens\": 40", StringComparison.Ordinal),
            json);
    }

    [Fact]
    public void AsChunks_JsonEntryThenAsJson_IsTheOriginalAnswer()
    {
        var chunks = AnswerReplay.AsChunks(Json(RichCompletion), Stamp, includeUsage: true);
        Assert.Equal("[DONE]", Text(chunks[^1]));

        var again = AnswerReplay.AsJson(Stream(chunks.SkipLast(1).Select(Text)), Stamp);

        AssertJsonEqual(Replayed(RichCompletion), again);
    }

    [Fact]
    public void AsChunks_TextCompletionJsonEntryThenAsJson_IsTheOriginalAnswer()
    {
        const string Completion = """{"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Once upon","index":0,"logprobs":{"tokens":["Once"," upon"],"token_logprobs":[-0.5,-0.25],"top_logprobs":null,"text_offset":[0,4]},"finish_reason":"length"},{"text":"","index":1,"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}""";

        var chunks = AnswerReplay.AsChunks(Json(Completion, "completions"), Stamp, includeUsage: true);
        var again = AnswerReplay.AsJson(Stream(chunks.SkipLast(1).Select(Text), "completions"), Stamp);

        Assert.All(chunks.SkipLast(1), chunk => Assert.Contains("\"object\":\"text_completion\"", Text(chunk), StringComparison.Ordinal));
        AssertJsonEqual(Replayed(Completion), again);
    }

    [Fact]
    public void AsChunks_StreamEntry_IsTheStoredChunksEventByEventButTheStampAndCachedUsage()
    {
        string[] stored =
        [
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}""",
        ];

        var chunks = AnswerReplay.AsChunks(Stream(stored), Stamp, includeUsage: true).Select(Text).ToList();

        Assert.Equal(
            [
                .. stored.SkipLast(1).Select(chunk => chunk.Replace("\"chatcmpl-s\"", "\"chatcmpl-fresh\"", StringComparison.Ordinal).Replace("\"created\":5", "\"created\":1700000000", StringComparison.Ordinal)),
                """{"id":"chatcmpl-fresh","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":9}}}""",
                "[DONE]",
            ],
            chunks);
    }

    [Fact]
    public void AsChunks_StreamEntryWithoutIncludeUsage_LeavesOutTheUsageOnlyChunk()
    {
        var chunks = AnswerReplay.AsChunks(
            Stream([
                """{"id":"a","created":5,"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}""",
                """{"id":"a","created":5,"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}""",
            ]),
            Stamp,
            includeUsage: false);

        Assert.Equal(
            ["""{"id":"chatcmpl-fresh","created":1700000000,"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}""", "[DONE]"],
            chunks.Select(Text));
    }

    [Fact]
    public void AsJson_StreamEntry_IsTheAssembledCompletion()
    {
        var json = AnswerReplay.AsJson(
            Stream([
                """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
                """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}""",
            ]),
            Stamp);

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":"stop"}]}""",
            Text(json));
    }

    [Fact]
    public void AsJson_Embeddings_AreTheStoredListWithCachedUsageAndNoId()
    {
        var json = AnswerReplay.AsJson(
            Json("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""", "embeddings"),
            Stamp);

        Assert.Equal(
            """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":8}}}""",
            Text(json));
    }

    [Fact]
    public void AsChunks_Embeddings_AreRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AnswerReplay.AsChunks(Json("""{"object":"list","data":[]}""", "embeddings"), Stamp, includeUsage: true));

        Assert.Equal("An embeddings answer cannot be replayed as a stream: embeddings are never streamed.", error.Message);
    }

    [Theory]
    [InlineData("/chat/completions")]
    [InlineData("models")]
    [InlineData("")]
    public void AsJson_OperationNotCached_ThrowsInvalidDataException(string operation)
    {
        var error = Assert.Throws<InvalidDataException>(() => AnswerReplay.AsJson(Json("{}", operation), Stamp));

        Assert.Equal($"A stored answer's operation '{operation}' is not one the gateway caches.", error.Message);
    }

    [Fact]
    public void AsJson_CorruptStream_ThrowsInvalidDataException()
    {
        Assert.Throws<InvalidDataException>(() => AnswerReplay.AsJson(Entry("chat/completions", CachedAnswerShape.Stream, [9, 9]), Stamp));
    }

    [Fact]
    public void AsJson_ForAnAnthropicClient_IsAMessageWithAFreshIdAndEveryInputTokenReadFromCache()
    {
        var message = AnthropicDialect.Instance.ResponseFromOpenAi(AnswerReplay.AsJson(Json(RichCompletion), Stamp));

        var node = JsonNode.Parse(message)!;
        Assert.Equal("msg_fresh", (string?)node["id"]);
        Assert.Equal("""{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,"output_tokens":31}""", node["usage"]!.ToJsonString());
    }

    [Fact]
    public void AsChunks_ForAnAnthropicClient_StreamAFreshIdTextToolUseAndCachedUsage()
    {
        var writer = AnthropicDialect.Instance.CreateStreamWriter();
        var output = new ArrayBufferWriter<byte>();
        foreach (var chunk in AnswerReplay.AsChunks(Json(RichCompletion), Stamp, includeUsage: true))
        {
            writer.Write(chunk, output);
        }

        var sse = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("""data: {"type":"message_start","message":{"id":"msg_fresh",""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check the weather in Zürich."}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_1","name":"get_weather","input":{}}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":\"Zürich\",\"unit\":\"c\"}"}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_2","name":"get_time","input":{}}}""", sse, StringComparison.Ordinal);
        Assert.Contains(
            """data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":40,"output_tokens":31}}""",
            sse,
            StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("It is sunny", sse, StringComparison.Ordinal);
    }
}
