using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Caching;
using Switchyard.Providers;

namespace Switchyard.Gateway.Tests.Caching;

/// <summary>What a request embeds, when it is eligible, and what must be equal for two requests to share a partition.</summary>
public sealed class SemanticRequestTests
{
    private const string System = """{"role":"system","content":"You are terse."}""";

    private static readonly SemanticCacheOptions Defaults = new();

    private static readonly CacheKey Key = new("ws-a", "", "chat/completions", "openai", "https://api.openai.com/v1/chat/completions", "gpt-4o-mini");

    private static SemanticRequest? Chat(string messages, string parameters = "\"temperature\":0.2", SemanticCacheOptions? options = null) =>
        SemanticRequest.Read(ApiOperation.ChatCompletions, Body($$"""{"model":"gpt-4o-mini","messages":[{{messages}}],{{parameters}}}"""), options ?? Defaults);

    private static SemanticRequest Ask(string question, string parameters = "\"temperature\":0.2") =>
        Chat($"{System},{User(question)}", parameters) ?? throw new InvalidOperationException("not eligible");

    private static SemanticRequest? Completion(string body) => SemanticRequest.Read(ApiOperation.Completions, Body(body), Defaults);

    private static string User(string text) => $$"""{"role":"user","content":{{JsonSerializer.Serialize(text)}}}""";

    private static ReadOnlyMemory<byte> Body(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Read_SystemPromptAndQuestion_EmbedsTheQuestionOnly()
    {
        var request = Chat($"{System},{User("  What is the capital of France?\n")}");

        Assert.Equal("What is the capital of France?", request?.Text);
        Assert.Matches("^[0-9a-f]{64}$", request!.Fingerprint);
    }

    [Fact]
    public void Read_ContentParts_TextPartsJoinedByNewLines()
    {
        var request = Chat("""{"role":"user","content":[{"type":"text","text":"Translate:"},{"type":"text","text":"good morning"}]}""");

        Assert.Equal("Translate:\ngood morning", request?.Text);
    }

    [Theory]
    [InlineData("""{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://img.test/a.png"}}]}""")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":"What is in this picture?"},{"type":"image_url","image_url":{"url":"https://img.test/a.png"}}]}""")]
    [InlineData("""{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}""")]
    [InlineData("""{"role":"user","content":[{"type":"text"}]}""")]
    [InlineData("""{"role":"user","content":["hi"]}""")]
    public void Read_LastTurnNotOnlyText_NotEligible(string last) => Assert.Null(Chat(last));

    [Theory]
    [InlineData("""{"role":"user","content":""}""")]
    [InlineData("""{"role":"user","content":"  \n "}""")]
    [InlineData("""{"role":"user","content":null}""")]
    [InlineData("""{"role":"user"}""")]
    [InlineData("""{"role":"user","content":[]}""")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":" "}]}""")]
    public void Read_NoText_NotEligible(string last) => Assert.Null(Chat(last));

    [Theory]
    [InlineData("""{"role":"user","content":"hi"},{"role":"assistant","content":"Hello!"}""")]
    [InlineData("""{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"}""")]
    [InlineData("""{"content":"no role"}""")]
    [InlineData("\"hi\"")]
    public void Read_LastMessageNotAUserTurn_NotEligible(string messages) => Assert.Null(Chat(messages));

    [Fact]
    public void Read_MessageCount_UpToMaxMessagesEligible()
    {
        var four = $"{System},{User("a")},{{\"role\":\"assistant\",\"content\":\"b\"}},{User("c")}";
        var five = $"{System},{User("a")},{{\"role\":\"assistant\",\"content\":\"b\"}},{User("c")},{{\"role\":\"assistant\",\"content\":\"d\"}},{User("e")}";

        Assert.Equal("c", Chat(four)?.Text);
        Assert.Null(Chat(five));
        Assert.Equal("e", Chat(five, options: new SemanticCacheOptions { MaxMessages = 6 })?.Text);
        Assert.Null(Chat(four, options: new SemanticCacheOptions { MaxMessages = 3 }));
    }

    [Theory]
    [InlineData("\"messages\":[],\"temperature\":0")]
    [InlineData("\"messages\":{},\"temperature\":0")]
    [InlineData("\"temperature\":0")]
    public void Read_NoMessages_NotEligible(string fields) =>
        Assert.Null(SemanticRequest.Read(ApiOperation.ChatCompletions, Body($$"""{"model":"m",{{fields}}}"""), Defaults));

    [Fact]
    public void Read_TextLength_UpToMaxTextLengthEligible()
    {
        var options = new SemanticCacheOptions { MaxTextLength = 10 };

        Assert.Equal("0123456789", Chat(User("0123456789"), options: options)?.Text);
        Assert.Null(Chat(User("0123456789A"), options: options));
        Assert.Equal(1_000, Defaults.MaxTextLength);
        Assert.NotNull(Chat(User(new string('a', 1_000))));
        Assert.Null(Chat(User(new string('a', 1_001))));
    }

    [Fact]
    public void Read_AnotherOperationOrNotAnObject_NotEligible()
    {
        Assert.Null(SemanticRequest.Read(ApiOperation.Embeddings, Body("""{"model":"m","input":"hi"}"""), Defaults));
        Assert.Null(SemanticRequest.Read(ApiOperation.ChatCompletions, Body("[1]"), Defaults));
        Assert.ThrowsAny<JsonException>(() => SemanticRequest.Read(ApiOperation.ChatCompletions, Body("{not json"), Defaults));
    }

    [Fact]
    public void Read_TwoQuestionsWithTheSameContextAndParameters_ShareTheFingerprint()
    {
        var france = Ask("What is the capital of France?");
        var paraphrase = Ask("Which city is France's capital?");

        Assert.Equal(france.Fingerprint, paraphrase.Fingerprint);
        Assert.NotEqual(france.Text, paraphrase.Text);
    }

    [Theory]
    [InlineData("\"temperature\":0.20")]
    [InlineData("\"temperature\":2e-1,\"stream\":true,\"stream_options\":{\"include_usage\":true}")]
    [InlineData("\"stream\":false,   \"temperature\" : 0.2")]
    public void Read_TheSameParametersWrittenOrDeliveredDifferently_SameFingerprint(string parameters) =>
        Assert.Equal(Ask("hi").Fingerprint, Ask("hi", parameters).Fingerprint);

    [Theory]
    [InlineData("\"temperature\":0.3")]
    [InlineData("\"temperature\":0.2,\"max_tokens\":5")]
    [InlineData("\"temperature\":0.2,\"tools\":[]")]
    [InlineData("\"temperature\":0.2,\"response_format\":{\"type\":\"json_object\"}")]
    [InlineData("\"temperature\":0.2,\"n\":2")]
    [InlineData("\"temperature\":0.2,\"seed\":7")]
    public void Read_AnotherParameter_AnotherFingerprint(string parameters) =>
        Assert.NotEqual(Ask("hi").Fingerprint, Ask("hi", parameters).Fingerprint);

    [Fact]
    public void Read_AnotherModelInTheBody_AnotherFingerprint()
    {
        var mini = SemanticRequest.Read(ApiOperation.ChatCompletions, Body($$"""{"model":"gpt-4o-mini","messages":[{{User("hi")}}]}"""), Defaults);
        var full = SemanticRequest.Read(ApiOperation.ChatCompletions, Body($$"""{"model":"gpt-4o","messages":[{{User("hi")}}]}"""), Defaults);

        Assert.NotEqual(mini!.Fingerprint, full!.Fingerprint);
    }

    [Fact]
    public void Read_AnotherSystemPromptOrEarlierTurn_AnotherFingerprint()
    {
        var question = User("And its population?");
        var france = Chat($"{User("Capital of France?")},{{\"role\":\"assistant\",\"content\":\"Paris.\"}},{question}");
        var spain = Chat($"{User("Capital of Spain?")},{{\"role\":\"assistant\",\"content\":\"Madrid.\"}},{question}");
        var terse = Chat($"{System},{question}");
        var pirate = Chat($"{{\"role\":\"system\",\"content\":\"Talk like a pirate.\"}},{question}");
        var alone = Chat(question);

        string[] fingerprints = [france!.Fingerprint, spain!.Fingerprint, terse!.Fingerprint, pirate!.Fingerprint, alone!.Fingerprint];
        Assert.Equal(fingerprints.Length, fingerprints.Distinct().Count());
        Assert.All([france, spain, terse, pirate, alone], r => Assert.Equal("And its population?", r.Text));
    }

    [Fact]
    public void Read_LastTurnsOtherFields_InTheFingerprint()
    {
        var anonymous = Chat(User("hi"));
        var named = Chat("""{"role":"user","name":"alice","content":"hi"}""");

        Assert.NotEqual(anonymous!.Fingerprint, named!.Fingerprint);
    }

    [Theory]
    [InlineData("What is 2 + 2?", "What is 2 + 3?")]
    [InlineData("Who was the first person on the moon?", "Who was the second person on the moon?")]
    [InlineData("When did World War II end?", "When did World War I end?")]
    [InlineData("What foods are good for diabetics?", "What foods are not good for diabetics?")]
    [InlineData("Convert 5 miles to km", "Convert 50 miles to km")]
    public void Read_NumbersOrNegationDiffer_AnotherFingerprint(string one, string other) =>
        Assert.NotEqual(Ask(one).Fingerprint, Ask(other).Fingerprint);

    [Theory]
    [InlineData("When did World War II end?", "When did the Second World War end?")]
    [InlineData("What is 15% of 200?", "How much is 15 percent of 200?")]
    [InlineData("Why doesn't my laptop turn on?", "Why won't my laptop turn on?")]
    public void Read_ParaphrasesWithTheSameNumbersAndNegation_SameFingerprint(string one, string other) =>
        Assert.Equal(Ask(one).Fingerprint, Ask(other).Fingerprint);

    [Theory]
    [InlineData("What is 2 + 2?", "2 2")]
    [InlineData("World War II, WW2 and the Second World War", "2 2 2")]
    [InlineData("Louis XIV and Henry VIII", "14 8")]
    [InlineData("I think I need one apple", "")]
    [InlineData("It costs 1,000 dollars or 3.14 euros.", "1000 3.14")]
    [InlineData("twenty-five is not fifty", "20 5 50 not")]
    [InlineData("Why doesn't it work? Why can’t I log in? Never.", "not")]
    [InlineData("gpt-4o vs gpt-4.1", "4 4.1")]
    [InlineData("What is the capital of France?", "")]
    public void Literals_Text_NumbersInOrderThenNegation(string text, string expected) => Assert.Equal(expected, SemanticRequest.Literals(text));

    [Fact]
    public void Read_TextCompletion_EmbedsThePromptAndFingerprintsTheRest()
    {
        var one = Completion("""{"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","max_tokens":5}""");
        var listed = Completion("""{"model":"gpt-3.5-turbo-instruct","prompt":["Say hello"],"max_tokens":5,"stream":true}""");
        var longer = Completion("""{"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","max_tokens":6}""");

        Assert.Equal("Say hi", one?.Text);
        Assert.Equal("Say hello", listed?.Text);
        Assert.Equal(one!.Fingerprint, listed!.Fingerprint);
        Assert.NotEqual(one.Fingerprint, longer!.Fingerprint);
    }

    [Theory]
    [InlineData("""{"model":"m","prompt":["a","b"]}""")]
    [InlineData("""{"model":"m","prompt":[1,2,3]}""")]
    [InlineData("""{"model":"m","prompt":[[1,2]]}""")]
    [InlineData("""{"model":"m","prompt":" "}""")]
    [InlineData("""{"model":"m"}""")]
    public void Read_TextCompletionWithoutOneTextPrompt_NotEligible(string body) => Assert.Null(Completion(body));

    [Fact]
    public void Read_CompletionAndChatOfTheSameText_DifferentFingerprints()
    {
        var completion = Completion("""{"model":"m","prompt":"hi"}""");
        var chat = SemanticRequest.Read(ApiOperation.ChatCompletions, Body($$"""{"model":"m","messages":[{{User("hi")}}]}"""), Defaults);

        Assert.NotEqual(completion!.Fingerprint, chat!.Fingerprint);
    }

    [Fact]
    public void Read_EmbedAllMessages_EmbedsTheConversationAndFingerprintsOnlyParameters()
    {
        var all = new SemanticCacheOptions { EmbedAllMessages = true };
        var terse = Chat($"{System},{User("a")},{{\"role\":\"assistant\",\"content\":[{{\"type\":\"text\",\"text\":\"b\"}}]}},{User("c")}", options: all);
        var pirate = Chat($"{{\"role\":\"system\",\"content\":\"Talk like a pirate.\"}},{User("a")},{{\"role\":\"assistant\",\"content\":\"b\"}},{User("c")}", options: all);

        Assert.Equal("system: You are terse.\nuser: a\nassistant: b\nuser: c", terse?.Text);
        Assert.Equal(terse!.Fingerprint, pirate!.Fingerprint);
        Assert.NotEqual(terse.Fingerprint, Chat($"{System},{User("a")},{{\"role\":\"assistant\",\"content\":\"b\"}},{User("c")}")!.Fingerprint);
    }

    [Fact]
    public void Read_EmbedAllMessagesWithAToolCall_NotEligible()
    {
        var all = new SemanticCacheOptions { EmbedAllMessages = true };
        var messages = """{"role":"user","content":"weather?"},{"role":"assistant","content":"checking","tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{}"}}]},{"role":"user","content":"thanks"}""";

        Assert.Null(Chat(messages, options: all));
        Assert.Equal("thanks", Chat(messages)?.Text);
    }

    [Fact]
    public void Partition_EveryPartOfTheKeyAndTheEmbedder_KeepsRequestsApart()
    {
        var request = Ask("hi");
        var partition = request.Partition(Key, "all-minilm-l6-v2");

        Assert.Matches("^[0-9a-f]{64}$", partition);
        Assert.Equal(partition, Ask("hello").Partition(Key with { }, "all-minilm-l6-v2"));
        string[] others =
        [
            request.Partition(Key with { WorkspaceId = "ws-b" }, "all-minilm-l6-v2"),
            request.Partition(Key with { Namespace = "team-1" }, "all-minilm-l6-v2"),
            request.Partition(Key with { Operation = "completions" }, "all-minilm-l6-v2"),
            request.Partition(Key with { Provider = "groq" }, "all-minilm-l6-v2"),
            request.Partition(Key with { Url = "http://127.0.0.1:9000/v1/chat/completions" }, "all-minilm-l6-v2"),
            request.Partition(Key with { Model = "gpt-4o" }, "all-minilm-l6-v2"),
            request.Partition(Key, "text-embedding-3-small"),
            Ask("hi", "\"temperature\":1").Partition(Key, "all-minilm-l6-v2"),
        ];
        Assert.DoesNotContain(partition, others);
        Assert.Equal(others.Length, others.Distinct().Count());
    }

    [Fact]
    public void Validate_OutOfRange_NamesEverySetting()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new SemanticCacheOptions { MaxMessages = 0, MaxTextLength = 0 }.Validate());

        Assert.Equal(
            ["SemanticCacheOptions.MaxMessages must be at least 1.", "SemanticCacheOptions.MaxTextLength must be at least 1."],
            error.Failures);
        new SemanticCacheOptions().Validate();
    }
}
