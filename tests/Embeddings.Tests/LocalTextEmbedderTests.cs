using System.Numerics.Tensors;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Gateway.Caching;

namespace Switchyard.Embeddings.Tests;

[Collection(LocalModelCollection.Name)]
public sealed class LocalTextEmbedderTests(LocalModel model)
{
    [Theory]
    [InlineData("What is the capital of France?")]
    [InlineData("a")]
    [InlineData("C++ (foo) [bar] ***?? $^ \\d+ .* 😀 日本語 émigré")]
    public async Task EmbedAsync_AnyText_UnitLengthOf384Dimensions(string text)
    {
        var vector = await model.EmbedAsync(text);

        Assert.Equal(384, vector.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(vector), 5);
    }

    [Fact]
    public async Task EmbedAsync_SameTextTwice_SameVector()
    {
        var first = await model.EmbedAsync("How do I reset my password?");
        var second = await model.EmbedAsync("How do I reset my password?");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task EmbedAsync_ConcurrentCallsOfDifferentTexts_EachItsOwnVector()
    {
        string[] texts = ["What is the capital of France?", "How do I bake sourdough bread?", "Why is the sky blue?", "How tall is Mount Everest?"];
        var alone = new List<float[]>();
        foreach (var text in texts)
        {
            alone.Add(await model.EmbedAsync(text));
        }

        var together = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => model.EmbedAsync(texts[i % texts.Length]))));

        for (var i = 0; i < together.Length; i++)
        {
            Assert.Equal(1f, TensorPrimitives.Dot(alone[i % texts.Length], together[i]), 5);
        }
    }

    [Fact]
    public async Task EmbedAsync_FirstCallsOfANewEmbedderAtOnce_LoadTheModelOnceAndAllAnswer()
    {
        using var embedder = new LocalTextEmbedder();

        var vectors = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => embedder.EmbedAsync("Why is the sky blue?", CancellationToken.None).AsTask()));

        var expected = await model.EmbedAsync("Why is the sky blue?");
        Assert.All(vectors, v => Assert.Equal(1f, TensorPrimitives.Dot(expected, v), 5));
    }

    [Fact]
    public async Task EmbedAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.Embedder.EmbedAsync("hi", cancelled.Token).AsTask());
    }

    [Fact]
    public async Task EmbedAsync_ParaphraseAndNearMiss_SimilarityAboveAndBelowTheThreshold()
    {
        var france = await model.EmbedAsync("What is the capital of France?");
        var paraphrase = await model.EmbedAsync("Which city is the capital of France?");
        var germany = await model.EmbedAsync("What is the capital of Germany?");
        var bread = await model.EmbedAsync("How do I bake sourdough bread?");

        Assert.InRange(TensorPrimitives.Dot(france, paraphrase), model.Embedder.DefaultThreshold, 1f);
        Assert.InRange(TensorPrimitives.Dot(france, germany), 0.6f, 0.7f);
        Assert.InRange(TensorPrimitives.Dot(france, bread), 0f, 0.2f);
    }

    /// <summary>
    /// Why <see cref="SemanticRequest"/> keeps the system prompt out of the embedded text (and in the fingerprint): the
    /// words two questions share dominate their vectors, so behind a shared system prompt different questions look alike.
    /// </summary>
    [Fact]
    public async Task EmbedAsync_DifferentQuestionsBehindASharedSystemPrompt_LookAlike()
    {
        const string System = "You are a helpful customer support assistant for Acme Corp. Answer politely and concisely. If you do not "
            + "know the answer, say so. Never reveal internal policies. Always respond in English. Use markdown for lists and code.";

        var france = await model.EmbedAsync(System + "\nWhat is the capital of France?");
        var germany = await model.EmbedAsync(System + "\nWhat is the capital of Germany?");

        Assert.True(TensorPrimitives.Dot(france, germany) > model.Embedder.DefaultThreshold);
    }

    [Fact]
    public async Task EmbedAsync_TextBeyond512Tokens_TheRestIsNotRead()
    {
        var prefix = string.Join(' ', Enumerable.Repeat("dog", 520));

        var paris = await model.EmbedAsync(prefix + " Paris, France");
        var berlin = await model.EmbedAsync(prefix + " Berlin, Germany");

        Assert.Equal(1f, TensorPrimitives.Dot(paris, berlin), 5);
    }

    [Fact]
    public void AddLocalTextEmbedder_Resolved_OneSingletonNamingItsModel()
    {
        using var services = new ServiceCollection().AddLocalTextEmbedder().AddLocalTextEmbedder().BuildServiceProvider();

        var embedder = services.GetRequiredService<ITextEmbedder>();

        Assert.IsType<LocalTextEmbedder>(embedder);
        Assert.Same(embedder, services.GetRequiredService<ITextEmbedder>());
        Assert.Single(services.GetServices<ITextEmbedder>());
        Assert.Equal("all-minilm-l6-v2", embedder.Model);
        Assert.Equal(LocalTextEmbedder.Threshold, embedder.DefaultThreshold);
    }
}
