using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Catalog;

namespace Switchyard.Providers.Dialects.Anthropic;

/// <summary>
/// Clients of Switchyard's <c>/v1/messages</c> (the official Anthropic SDKs): their requests are read into OpenAI's shape
/// for any provider, and answers, errors and streams are written back the way Anthropic's API writes them. When the
/// provider is Anthropic itself the gateway passes the bytes through instead (<see cref="NativeFormat"/>).
/// </summary>
public sealed class AnthropicDialect : IClientDialect
{
    public static AnthropicDialect Instance { get; } = new();

    public ClientFormat Format => ClientFormat.Anthropic;

    public WireFormat NativeFormat => WireFormat.Anthropic;

    public byte[] RequestToOpenAi(ReadOnlySpan<byte> body) => AnthropicClientRequest.ToOpenAi(body);

    public byte[] ResponseFromOpenAi(ReadOnlySpan<byte> openAiBody) => AnthropicClientResponse.FromOpenAi(openAiBody);

    /// <summary>
    /// Anthropic's error body. Types Anthropic documents are kept (the gateway's <c>timeout_error</c> included, which the
    /// SDK knows); any other type, such as OpenAI's <c>server_error</c> or the gateway's <c>upstream_error</c>, becomes the
    /// type Anthropic uses for the status (<c>api_error</c> for most 5xx, <c>overloaded_error</c> for 503 and 529).
    /// </summary>
    public byte[] Error(int status, string type, string message) =>
        AnthropicWire.ErrorBody(AnthropicWire.IsAnthropicErrorType(type) ? type : AnthropicWire.ErrorTypeFor(status), message);

    public IClientStreamWriter CreateStreamWriter() => new AnthropicClientStreamWriter();
}

