using Switchyard.Gateway.Logging;

namespace Switchyard.Gateway.Tests.Logging;

public sealed class BodyRedactionTests
{
    [Theory]
    [InlineData("key sk-sy-AbCdEf0123456789xyz here", "key [REDACTED:api_key] here")]
    [InlineData("key sk-ant-api03-AbCdEf0123456789_xyz here", "key [REDACTED:api_key] here")]
    [InlineData("key sk-proj-AbCdEf0123456789AbCdEf here", "key [REDACTED:api_key] here")]
    [InlineData("key sk-AbCdEf0123456789AbCdEf here", "key [REDACTED:api_key] here")]
    [InlineData("aws AKIAIOSFODNN7EXAMPLE end", "aws [REDACTED:api_key] end")]
    [InlineData("google AIzaSyA1234567890abcdefghijklmnopqrstuv end", "google [REDACTED:api_key] end")]
    [InlineData("groq gsk_abcdefghijklmnopqrstuvwx end", "groq [REDACTED:api_key] end")]
    [InlineData("hf hf_abcdefghijklmnopqrstuvwx end", "hf [REDACTED:api_key] end")]
    public void Redact_ApiKeys_AreMasked(string text, string expected) => Assert.Equal(expected, BodyRedaction.Redact(text));

    [Fact]
    public void Redact_BearerToken_KeepsTheSchemeAndMasksTheToken() =>
        Assert.Equal("""{"h":"Bearer [REDACTED:bearer]"}""", BodyRedaction.Redact("""{"h":"Bearer abc.DEF-123_456~xyz"}"""));

    [Fact]
    public void Redact_Jwt_IsMasked() =>
        Assert.Equal("token [REDACTED:jwt].", BodyRedaction.Redact("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U."));

    [Fact]
    public void Redact_Email_IsMasked() =>
        Assert.Equal("write to [REDACTED:email], thanks", BodyRedaction.Redact("write to jane.doe+test@mail.example.co.uk, thanks"));

    [Theory]
    [InlineData("card 4111 1111 1111 1111 ok", "card [REDACTED:card] ok")]
    [InlineData("card 4111-1111-1111-1111 ok", "card [REDACTED:card] ok")]
    [InlineData("card 5500005555555559 ok", "card [REDACTED:card] ok")]
    public void Redact_LuhnValidCard_IsMasked(string text, string expected) => Assert.Equal(expected, BodyRedaction.Redact(text));

    [Fact]
    public void Redact_NumberFailingLuhn_IsKept() =>
        Assert.Equal("order 4111111111111112 ok", BodyRedaction.Redact("order 4111111111111112 ok"));

    [Theory]
    [InlineData("call +1 415-555-2671 now", "call [REDACTED:phone] now")]
    [InlineData("call (415) 555-2671 now", "call [REDACTED:phone] now")]
    [InlineData("call 415.555.2671 now", "call [REDACTED:phone] now")]
    public void Redact_PhoneNumber_IsMasked(string text, string expected) => Assert.Equal(expected, BodyRedaction.Redact(text));

    [Fact]
    public void Redact_Ssn_IsMasked() => Assert.Equal("ssn [REDACTED:ssn].", BodyRedaction.Redact("ssn 123-45-6789."));

    [Fact]
    public void Redact_InvalidSsnRange_IsKept() => Assert.Equal("ref 000-12-3456", BodyRedaction.Redact("ref 000-12-3456"));

    [Fact]
    public void Redact_OrdinaryText_IsUnchanged()
    {
        const string text = """{"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"In 2024 we sold 12 units at $3.50 (ask-me)."}]}""";
        Assert.Equal(text, BodyRedaction.Redact(text));
    }

    [Fact]
    public void IsLuhnValid_KnownNumbers_Answered()
    {
        Assert.True(BodyRedaction.IsLuhnValid("4111111111111111"));
        Assert.False(BodyRedaction.IsLuhnValid("4111111111111112"));
        Assert.False(BodyRedaction.IsLuhnValid("0000"));
    }
}
