using System.Text;
using Switchyard.Gateway.Tokens;

namespace Switchyard.Gateway.Tests.Tokens;

public sealed class TokenEstimateTests
{
    private static int Count(string json) => TokenEstimate.InputTokens(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("""{"model":"m","messages":[]}""", 0)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"abcd"}]}""", 5)]
    [InlineData("""{"model":"m","system":"abcdefgh","messages":[{"role":"user","content":"abcd"}]}""", 7)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}""", 1605)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""", 9)]
    public void InputTokens_AnthropicBody_CountsTextMessagesAndImages(string json, int expected)
    {
        Assert.Equal(expected, Count(json));
    }
}
