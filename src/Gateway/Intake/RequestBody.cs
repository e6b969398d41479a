namespace Switchyard.Gateway.Intake;

/// <summary>
/// What routing needs from a request body, read in one pass; the bytes themselves stay untouched.
/// </summary>
internal sealed class RequestBody
{
    public static readonly RequestBody Empty = new(ReadOnlyMemory<byte>.Empty, model: null, stream: false, streamOptions: null, maxTokens: null);

    public RequestBody(ReadOnlyMemory<byte> utf8, string? model, bool stream, StreamOptionsInfo? streamOptions, int? maxTokens)
    {
        Utf8 = utf8;
        Model = model;
        Stream = stream;
        StreamOptions = streamOptions;
        MaxTokens = maxTokens;
    }

    public ReadOnlyMemory<byte> Utf8 { get; }

    public string? Model { get; }

    public bool Stream { get; }

    /// <summary>The client's own <c>stream_options</c>, when it sent one.</summary>
    public StreamOptionsInfo? StreamOptions { get; }

    /// <summary><c>max_tokens</c> or <c>max_completion_tokens</c>, whichever the client sent.</summary>
    public int? MaxTokens { get; }

    public bool ClientAskedForUsage => StreamOptions?.IncludeUsage == true;
}

/// <summary>The client's <c>stream_options</c> object: whether it asked for usage, and where the object sits in the body.</summary>
internal sealed record StreamOptionsInfo(bool IncludeUsage, int ValueStart, int ValueLength);
