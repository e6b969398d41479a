using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Caching;

namespace Switchyard.Gateway.Tests.Caching;

public sealed class JsonMembersTests
{
    private static string Set(string json, params MemberEdit[] edits) => Encoding.UTF8.GetString(JsonMembers.Set(Encoding.UTF8.GetBytes(json), edits));

    private static MemberEdit To(string name, string value) => new(name, _ => Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("""{"id":"a","x":1}""", """{"id":"b","x":1}""")]
    [InlineData("""{"x":1,"id":"a","y":[1, 2]}""", """{"x":1,"id":"b","y":[1, 2]}""")]
    [InlineData("{ \"x\" : 1 ,\n \"id\" : \"a\" }", "{ \"x\" : 1 ,\n \"id\" : \"b\" }")]
    [InlineData("""{"x":{"id":"inner"},"id":{"deep":[1]}}""", """{"x":{"id":"inner"},"id":"b"}""")]
    [InlineData("""{"id":"a","id":"c"}""", """{"id":"b","id":"b"}""")]
    public void Set_PresentMember_IsReplacedWhereItStandsAndEveryOtherByteKept(string json, string expected)
    {
        Assert.Equal(expected, Set(json, To("id", "\"b\"")));
    }

    [Theory]
    [InlineData("""{"x":1}""", """{"x":1,"id":"b"}""")]
    [InlineData("{ \"x\" : 1 }", "{ \"x\" : 1 ,\"id\":\"b\"}")]
    [InlineData("{}", """{"id":"b"}""")]
    [InlineData("{ }", """{ "id":"b"}""")]
    public void Set_AbsentMember_IsAppendedBeforeTheClosingBrace(string json, string expected)
    {
        Assert.Equal(expected, Set(json, To("id", "\"b\"")));
    }

    [Fact]
    public void Set_ValueThatDeclines_LeavesTheMemberOrItsAbsence()
    {
        var edit = new MemberEdit("usage", _ => null);

        Assert.Equal("""{"usage":null}""", Set("""{"usage":null}""", edit));
        Assert.Equal("""{"x":1}""", Set("""{"x":1}""", edit));
    }

    [Fact]
    public void Set_Value_SeesTheCurrentRawValueOrEmpty()
    {
        var seen = new List<string>();
        var edit = new MemberEdit("n", current =>
        {
            seen.Add(Encoding.UTF8.GetString(current));
            return null;
        });

        Set("""{"n": {"a" : 1.50}}""", edit);
        Set("""{"m":1}""", edit);

        Assert.Equal(["""{"a" : 1.50}""", ""], seen);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"x\"")]
    [InlineData("""{"a":""")]
    [InlineData("")]
    public void Set_NotAnObject_ThrowsJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => Set(json, To("id", "1")));
    }

    [Fact]
    public void Get_TopLevelMember_IsItsRawValue()
    {
        var json = """{"x":{"prompt_tokens":1},"prompt_tokens": 12 ,"y":2}"""u8;

        Assert.Equal("12", Encoding.UTF8.GetString(JsonMembers.Get(json, "prompt_tokens"u8)));
        Assert.True(JsonMembers.Get(json, "absent"u8).IsEmpty);
        Assert.True(JsonMembers.Get("[1]"u8, "x"u8).IsEmpty);
    }
}
