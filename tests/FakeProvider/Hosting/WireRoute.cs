namespace Switchyard.FakeProvider.Hosting;

internal delegate Task ExchangeHandler(HttpContext context, FakeExchange exchange);

/// <summary>
/// One operation of a wire format, matched by the end of the path so that any base path
/// (<c>/v1</c>, <c>/openai/v1</c>, none) works: gateways are configured with all of them.
/// </summary>
/// <param name="Method">HTTP method, e.g. POST.</param>
/// <param name="PathSuffix">Last path segments without a leading slash, e.g. <c>chat/completions</c>; a segment in braces, e.g. <c>model/{model}/converse</c>, matches any one segment; a suffix starting with <c>:</c> is a custom method on the last segment, e.g. <c>:generateContent</c>.</param>
/// <param name="Handle">Writes the response.</param>
internal sealed record WireRoute(string Method, string PathSuffix, ExchangeHandler Handle);
