using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Cohere;

/// <summary>Cohere's v2 operations, under any base path (<c>/v2/chat</c>, <c>/chat</c>).</summary>
internal static class CohereRoutes
{
    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, "chat", CohereChat.HandleAsync),
        new(HttpMethods.Post, "embed", CohereEmbed.HandleAsync),
    ];
}
