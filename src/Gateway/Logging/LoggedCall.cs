using System.Text;
using System.Text.Json;
using Switchyard.Gateway.Caching;
using Switchyard.Providers.Dialects;
using Switchyard.State;

namespace Switchyard.Gateway.Logging;

/// <summary>
/// A call's record as the observer left it, with its bodies still the bytes the call held: decoding, assembling a
/// stream, redacting and cutting them is the writer's work, off the request's path.
/// </summary>
internal sealed class LoggedCall(RequestLogRecord record)
{
    public RequestLogRecord Record { get; } = record;

    /// <summary>What to keep of the bodies; <see cref="LogBodies.Off"/> when none were captured.</summary>
    public LogBodies Bodies { get; init; } = LogBodies.Off;

    public ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>The JSON body the client received.</summary>
    public ReadOnlyMemory<byte>? AnswerBody { get; init; }

    /// <summary>A stream's OpenAI chunks as added up while relayed, written as one answer in the client's dialect.</summary>
    public StreamAssembly? AnswerStream { get; init; }

    public IClientDialect? Dialect { get; init; }

    /// <summary>The bytes of bodies this call holds until it is written.</summary>
    public long BodyBytes
    {
        get
        {
            return RequestBody.Length + (AnswerBody?.Length ?? 0) + (AnswerStream?.HeldBytes ?? 0);
        }
    }

    /// <summary>What the queue counted this call as holding (its <see cref="BodyBytes"/>), given back when the writer takes it.</summary>
    public long Weight { get; set; }

    /// <summary>The record without its bodies, marked truncated: what is queued when the queue's body budget is spent.</summary>
    public LoggedCall WithoutBodies() => new(Record with { Bodies = LogBodies.Off, Truncated = true });

    /// <summary>The record with its bodies as the policy keeps them, each cut at <paramref name="maxBytes"/>.</summary>
    public RequestLogRecord Complete(int maxBytes)
    {
        if (Bodies == LogBodies.Off)
        {
            return Record;
        }

        var truncated = false;
        var request = Text(RequestBody.Span, maxBytes, ref truncated);
        string? response = null;
        if (AnswerBody is { } answer)
        {
            response = Text(answer.Span, maxBytes, ref truncated);
        }
        else if (AnswerStream is { Count: > 0 } stream && Dialect is not null)
        {
            response = Text(Assemble(stream, Dialect), maxBytes, ref truncated);
        }

        return Record with { RequestBody = request, ResponseBody = response, Truncated = truncated };
    }

    private string? Text(ReadOnlySpan<byte> utf8, int maxBytes, ref bool truncated)
    {
        if (utf8.IsEmpty)
        {
            return null;
        }

        // Redacting can lengthen a body a little ([REDACTED:kind]), so the cap applies to what is kept, after it.
        var text = Bodies == LogBodies.Redacted ? BodyRedaction.Redact(Encoding.UTF8.GetString(utf8)) : null;
        var bytes = text is null ? utf8 : (ReadOnlySpan<byte>)Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return text ?? Encoding.UTF8.GetString(utf8);
        }

        truncated = true;
        return Encoding.UTF8.GetString(bytes[..Utf8Cut(bytes, maxBytes)]);
    }

    /// <summary>The longest prefix of at most <paramref name="maxBytes"/> that ends on a character boundary.</summary>
    internal static int Utf8Cut(ReadOnlySpan<byte> utf8, int maxBytes)
    {
        var cut = Math.Min(maxBytes, utf8.Length);
        while (cut > 0 && cut < utf8.Length && (utf8[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return cut;
    }

    /// <summary>The answer the stream added up to, with its own id and created, in the client's dialect; a stream that broke is written as far as it went.</summary>
    private static byte[] Assemble(StreamAssembly stream, IClientDialect dialect)
    {
        var openAi = stream.Write(stream.FirstStamp, markCached: false);
        try
        {
            return dialect.Format == ClientFormat.OpenAi ? openAi : dialect.ResponseFromOpenAi(openAi);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return [];
        }
    }
}
