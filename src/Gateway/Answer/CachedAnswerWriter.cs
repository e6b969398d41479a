using System.Buffers;
using System.Globalization;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.Providers;

namespace Switchyard.Gateway.Answer;

/// <summary>
/// Writes a cache hit in the client's dialect, as JSON or as a stream (whichever way it was stored), with the fresh
/// <c>id</c> and <c>created</c> and the usage marked as served from cache that the replay gave it.
/// </summary>
internal sealed class CachedAnswerWriter
{
    public async Task WriteAsync(GatewayCall call, UpstreamRequest request, CachedReply hit)
    {
        var response = call.Response;
        if (hit.Chunks is { } chunks)
        {
            response.SetHeader(GatewayHeaders.ContentType, "text/event-stream; charset=utf-8");
            response.SetHeader(GatewayHeaders.CacheControl, "no-cache");
            response.SetHeader(GatewayHeaders.AccelBuffering, "no");
            await response.StartAsync(call.Aborted);
            var writer = call.Dialect.CreateStreamWriter();
            var buffer = new ArrayBufferWriter<byte>(4096);
            var answer = call.AnswerStream = call.KeepsAnswer ? new StreamAssembly(chat: call.Operation != ApiOperation.Completions) : null;
            foreach (var chunk in chunks)
            {
                var read = answer?.Add(chunk);
                var scan = chunk.AsSpan().IndexOf("\"usage\""u8) >= 0 ? read ?? UsageReader.Scan(chunk) : default;
                if (scan.Usage is { } usage)
                {
                    call.Usage = usage;
                    if (scan.UsageOnly && request.DropUsageChunk)
                    {
                        continue;
                    }
                }

                writer.Write(chunk, buffer);
            }

            call.FirstByteSent();
            await response.WriteAsync(buffer.WrittenMemory, call.Aborted);
            await response.FlushAsync(call.Aborted);
            return;
        }

        var openAi = hit.Json!;
        call.Usage = UsageReader.Read(openAi);
        var body = call.Dialect.ResponseFromOpenAi(openAi);
        response.SetHeader(GatewayHeaders.ContentType, "application/json");
        response.SetHeader(GatewayHeaders.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
        if (call.KeepsAnswer)
        {
            call.AnswerBody = body;
        }

        call.FirstByteSent();
        await response.WriteAsync(body, call.Aborted);
    }
}
