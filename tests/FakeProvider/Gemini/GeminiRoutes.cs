using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Gemini;

/// <summary>Gemini's operations: custom methods on the model segment, <c>…/models/{model}:method</c>, under any base path.</summary>
internal static class GeminiRoutes
{
    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, GenerateContent.Method, GenerateContent.HandleAsync),
        new(HttpMethods.Post, GenerateContent.StreamMethod, GenerateContent.HandleStreamAsync),
        new(HttpMethods.Post, BatchEmbedContents.Method, BatchEmbedContents.HandleAsync),
    ];
}
