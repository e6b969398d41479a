using System.Buffers;
using System.Globalization;
using Switchyard.Gateway.Caching;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Upstream;
using Switchyard.State;

namespace Switchyard.Gateway.Answer;

/// <summary>
/// Writes a cached answer in the client's dialect, as JSON or as a stream whichever way it was stored, with a fresh
/// <c>id</c> and <c>created</c> and its usage marked as served from cache.
/// </summary>
internal sealed class CachedAnswerWriter(TimeProvider time)
{
    public async Task WriteAsync(GatewayCall call, UpstreamRequest request, CachedAnswer hit)
    {
        var response = call.Response;
        var stamp = ReplayStamp.Fresh(hit.Operation, time);
        if (request.Stream)
        {
            response.SetHeader(GatewayHeaders.ContentType, "text/event-stream; charset=utf-8");
            response.SetHeader(GatewayHeaders.CacheControl, "no-cache");
            response.SetHeader(GatewayHeaders.AccelBuffering, "no");
            await response.StartAsync(call.Aborted);
            var writer = call.Dialect.CreateStreamWriter();
            var buffer = new ArrayBufferWriter<byte>(4096);
            foreach (var chunk in AnswerReplay.AsChunks(hit, stamp, includeUsage: true))
            {
                var scan = UsageReader.Scan(chunk);
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

            await response.WriteAsync(buffer.WrittenMemory, call.Aborted);
            await response.FlushAsync(call.Aborted);
            return;
        }

        var openAi = AnswerReplay.AsJson(hit, stamp);
        call.Usage = UsageReader.Read(openAi);
        var body = call.Dialect.ResponseFromOpenAi(openAi);
        response.SetHeader(GatewayHeaders.ContentType, "application/json");
        response.SetHeader(GatewayHeaders.ContentLength, body.Length.ToString(CultureInfo.InvariantCulture));
        await response.WriteAsync(body, call.Aborted);
    }
}
