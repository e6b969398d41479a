using Switchyard.FakeProvider.Hosting;

namespace Switchyard.FakeProvider.Bedrock;

/// <summary>Bedrock runtime's operations, the model id in the path (URL-escaped, as AWS's SDKs send it).</summary>
internal static class BedrockRoutes
{
    public static IReadOnlyList<WireRoute> All { get; } =
    [
        new(HttpMethods.Post, "model/{model}/converse", Converse.HandleAsync),
        new(HttpMethods.Post, "model/{model}/converse-stream", Converse.HandleStreamAsync),
        new(HttpMethods.Post, "model/{model}/invoke", InvokeModel.HandleAsync),
    ];
}
