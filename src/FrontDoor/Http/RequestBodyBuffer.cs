using System.Buffers;
using System.IO.Pipelines;
using Switchyard.Gateway;

namespace Switchyard.FrontDoor.Http;

/// <summary>Reads a request body into memory, refusing more than the configured limit with a 413.</summary>
internal static class RequestBodyBuffer
{
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        var reader = request.BodyReader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex)
            {
                // The client's framing is wrong (most often: it hung up before sending the Content-Length it declared).
                throw new GatewayException(ex.StatusCode, $"The request body could not be read: {ex.Message} Send the whole body that Content-Length declares.");
            }

            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw TooLarge(limit);
            }

            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }

            // Examine everything, consume nothing: the pipe keeps growing the buffer until the body is complete.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static GatewayException TooLarge(long limit) =>
        new(413, $"The request body is larger than {limit} bytes; send less (the limit is Switchyard:Gateway:MaxRequestBodyBytes).");
}
