using System.Text;
using Switchyard.Gateway.Tokens;

namespace Switchyard.Gateway.Tests.Tokens;

public sealed class TokenBoundsTests
{
    [Fact]
    public void InputTokensUpperBound_OpenAiBody_CountsTextBytesFramingAndImages()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"model":"gpt-4o","messages":[{"role":"system","content":"abcd"},{"role":"user","content":[{"type":"text","text":"héllo"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"high"}}]}]}
            """);

        // "abcd" 4 bytes + "héllo" 6 bytes, 2 messages × 4, 1 image × 1,600, 3 of priming; the model, roles, types and the data URL are not text.
        Assert.Equal(4 + 6 + 8 + 1600 + 3, TokenEstimate.Measure(body).UpperBound);
        Assert.Equal(3 + 8 + 1600, TokenEstimate.Measure(body).Estimate);
    }

    [Fact]
    public void InputTokensEstimate_Embeddings_CountsTheInput()
    {
        var body = """{"model":"text-embedding-3-small","input":["12345678","1234"]}"""u8.ToArray();

        Assert.Equal(12 + 3, TokenEstimate.Measure(body).UpperBound);
        Assert.Equal(3, TokenEstimate.Measure(body).Estimate);
    }
}
