using Switchyard.Gateway.Intake;


namespace Switchyard.Gateway.Tests.Intake;

public sealed class MediaTypeTests
{
    [Theory]
    [InlineData("application/json", "application/json")]
    [InlineData("application/json; charset=utf-8", "application/json")]
    [InlineData("  Application/JSON ;charset=utf-8", "Application/JSON")]
    [InlineData("text/event-stream", "text/event-stream")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Essence_IsTheTypeWithoutParameters(string? contentType, string essence) =>
        Assert.Equal(essence, MediaType.Essence(contentType).ToString());

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json; charset=utf-8", true)]
    [InlineData("application/vnd.example+JSON", true)]
    [InlineData("text/event-stream", false)]
    [InlineData("application/x-ndjson-stream", false)]
    [InlineData("text/plain; format=json", false)] // a parameter saying json is not a JSON media type
    [InlineData(null, false)]
    public void IsAnyJson_LooksAtTheMediaTypeOnly(string? contentType, bool json) =>
        Assert.Equal(json, MediaType.IsAnyJson(contentType));
}
