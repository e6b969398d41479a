using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Anthropic;

/// <summary>The Anthropic Messages API: <c>POST …/messages</c> and <c>POST …/messages/count_tokens</c>.</summary>
internal static class AnthropicRoutes
{
    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, "messages", Messages.HandleAsync),
        new(HttpMethods.Post, "messages/count_tokens", CountTokens.HandleAsync),
    ];
}
