using System.Text;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class StreamAssemblyTests
{
    private static readonly ReplayStamp Stamp = new("chatcmpl-fresh", 1_700_000_000);

    private static string Assemble(bool chat, params string[] chunks) =>
        Encoding.UTF8.GetString(StreamAssembly.Assemble([.. chunks.Select(Encoding.UTF8.GetBytes)], chat, Stamp));

    private static string Chat(params string[] chunks) => Assemble(chat: true, chunks);

    /// <summary>A chunk of stream <c>s</c> with the given choices (and optional trailing members), as OpenAI writes them.</summary>
    private static string Chunk(string choices, string tail = "") =>
        $$"""{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{choices}}]{{tail}}}""";

    [Fact]
    public void Assemble_RealOpenAiStream_IsTheChatCompletion()
    {
        const string Head = """{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":""";

        var json = Chat(
            Head + """[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q3"}""",
            Head + """[{"index":0,"delta":{"content":"The"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Xk1Pz"}""",
            Head + """[{"index":0,"delta":{"content":" sky is"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a"}""",
            Head + """[{"index":0,"delta":{"content":" \"blue\" ☀"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"RQ"}""",
            Head + """[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null,"obfuscation":"y7"}""",
            Head + """[],"usage":{"prompt_tokens":19,"completion_tokens":6,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"Lq"}""");

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"message":{"role":"assistant","content":"The sky is \"blue\" ☀","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":6,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":19,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
            json);
    }

    [Fact]
    public void Assemble_ToolCallsWithStreamedArguments_AreMergedByIndexWithoutIt()
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Oslo\"}"}}]},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}"""));

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}],"refusal":null},"logprobs":null,"finish_reason":"tool_calls"}]}""",
            json);
    }

    [Fact]
    public void Assemble_ToolCallsOutOfOrder_AreWrittenByIndex()
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]}}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{"}}]}}"""),
            Chunk("""{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]},"finish_reason":"tool_calls"}"""));

        Assert.Contains(
            """{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},{"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]}""",
            json,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reasoning_content")]
    [InlineData("reasoning")]
    public void Assemble_Reasoning_IsConcatenatedUnderTheProvidersField(string field)
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":null,"FIELD":""},"finish_reason":null}""".Replace("FIELD", field, StringComparison.Ordinal)),
            Chunk("""{"index":0,"delta":{"FIELD":"Two plus"},"finish_reason":null}""".Replace("FIELD", field, StringComparison.Ordinal)),
            Chunk("""{"index":0,"delta":{"FIELD":" two is four."},"finish_reason":null}""".Replace("FIELD", field, StringComparison.Ordinal)),
            Chunk("""{"index":0,"delta":{"content":"4"},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}"""),
            Chunk("", tail: ""","usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17,"completion_tokens_details":{"reasoning_tokens":8}}"""));

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"4","FIELD":"Two plus two is four."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17,"completion_tokens_details":{"reasoning_tokens":8},"prompt_tokens_details":{"cached_tokens":8}}}""".Replace("FIELD", field, StringComparison.Ordinal),
            json);
    }

    [Fact]
    public void Assemble_TwoChoices_AreKeptApartAndWrittenByIndex()
    {
        var json = Chat(
            Chunk("""{"index":1,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":1,"delta":{"content":"Bon"},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":1,"delta":{"content":"jour"},"logprobs":null,"finish_reason":null}"""),
            Chunk("""{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}"""),
            Chunk("""{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}"""));

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":"Bonjour"},"logprobs":null,"finish_reason":"length"}]}""",
            json);
    }

    [Fact]
    public void Assemble_Logprobs_AreJoinedInOrder()
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":""},"logprobs":{"content":[],"refusal":null},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":"Hi"},"logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}],"refusal":null},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{"content":"!"},"logprobs":{"content":[{"token":"!","logprob":-0.02,"bytes":[33],"top_logprobs":[]}],"refusal":null},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}"""));

        Assert.Contains(
            """},"logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]},{"token":"!","logprob":-0.02,"bytes":[33],"top_logprobs":[]}],"refusal":null},"finish_reason":"stop"}""",
            json,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_ProviderRepeatingIdentityFields_DoesNotDoubleThem()
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\""}}]}}"""),
            Chunk("""{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":":1}"}}]},"finish_reason":"tool_calls"}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"tool_calls"}""", tail: ""","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"""));

        Assert.Contains(
            """{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},"logprobs":null,"finish_reason":"tool_calls"}""",
            json,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_ProviderExtras_KeepTheirLatestValue()
    {
        var json = Chat(
            Chunk("""{"index":0,"delta":{"role":"assistant","content":"x"},"finish_reason":null,"native_finish_reason":null}""", tail: ""","provider":"A","system_fingerprint":null"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"stop","native_finish_reason":"STOP"}""", tail: ""","provider":"B","system_fingerprint":"fp_1" """));

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"chat.completion","created":1700000000,"model":"m","provider":"B","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"logprobs":null,"finish_reason":"stop","native_finish_reason":"STOP"}]}""",
            json);
    }

    [Fact]
    public void Assemble_TextCompletionStream_IsTheTextCompletion()
    {
        const string Head = """{"id":"cmpl-1","object":"text_completion","created":1,"choices":""";

        var json = Assemble(
            chat: false,
            Head + """[{"text":"Once","index":0,"logprobs":{"tokens":["Once"],"token_logprobs":[-0.5],"top_logprobs":null,"text_offset":[0]},"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}""",
            Head + """[{"text":" upon","index":0,"logprobs":{"tokens":[" upon"],"token_logprobs":[-0.25],"top_logprobs":null,"text_offset":[4]},"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}""",
            Head + """[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}],"model":"gpt-3.5-turbo-instruct"}""",
            Head + """[],"model":"gpt-3.5-turbo-instruct","usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}""");

        Assert.Equal(
            """{"id":"chatcmpl-fresh","object":"text_completion","created":1700000000,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Once upon","index":0,"logprobs":{"tokens":["Once"," upon"],"token_logprobs":[-0.5,-0.25],"top_logprobs":null,"text_offset":[0,4]},"finish_reason":"length"}],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6,"prompt_tokens_details":{"cached_tokens":4}}}""",
            json);
    }

    [Theory]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}""")]
    [InlineData("""{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":1},"completion_tokens_details":{"reasoning_tokens":1}}}""")]
    [InlineData("""{"id":"c","usage":{"prompt_tokens":3,"completion_tokens":2}}""")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""")]
    [InlineData("""{"id":"c","choices":null,"usage":{"prompt_tokens":3}}""")]
    [InlineData("""["not","an","object"]""")]
    [InlineData("""{"id":"c","choices":[{"index":0,"delta":{"content":"cut""")]
    [InlineData("""{"id":"c"} {"id":"d"}""")]
    [InlineData("""not json""")]
    [InlineData("")]
    public void Add_AnswersWhatTheRelaysScanAnswers(string chunk)
    {
        var utf8 = Encoding.UTF8.GetBytes(chunk);

        Assert.Equal(Switchyard.Gateway.Answer.UsageReader.Scan(utf8), new StreamAssembly(chat: true).Add(utf8));
    }

    [Fact]
    public void Add_ChunkByChunk_IsTheAssemblyOfAllAtOnce_WithTheFirstChunksStamp()
    {
        string[] chunks =
        [
            Chunk("""{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}""").Replace("\"created\":1", "\"created\":1700000123", StringComparison.Ordinal),
            Chunk("""{"index":0,"delta":{"content":"lo"},"finish_reason":null}"""),
            Chunk("""{"index":0,"delta":{},"finish_reason":"stop"}""", tail: ""","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"""),
        ];
        var assembly = new StreamAssembly(chat: true);

        foreach (var chunk in chunks)
        {
            Assert.True(assembly.Add(Encoding.UTF8.GetBytes(chunk)).IsJson);
        }

        Assert.Equal(3, assembly.Count);
        Assert.Equal(new ReplayStamp("chatcmpl-s", 1_700_000_123), assembly.FirstStamp);
        Assert.Equal(
            Encoding.UTF8.GetString(StreamAssembly.Assemble([.. chunks.Select(Encoding.UTF8.GetBytes)], chat: true, assembly.FirstStamp, markCached: false)),
            Encoding.UTF8.GetString(assembly.Write(assembly.FirstStamp, markCached: false)));
        Assert.InRange(assembly.HeldBytes, 1, 1024);
    }

    [Fact]
    public void Assemble_ChunkThatIsNotJson_Throws() =>
        Assert.Throws<System.Text.Json.JsonException>(() => StreamAssembly.Assemble([Encoding.UTF8.GetBytes("""{"id":"x","choices":[""")], chat: true, Stamp));
}
