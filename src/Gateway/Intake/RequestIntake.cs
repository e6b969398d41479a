using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using Switchyard.Gateway.Errors;
using Switchyard.Gateway.Pipeline;
using Switchyard.Providers;

namespace Switchyard.Gateway.Intake;

/// <summary>
/// Reads the request body: the content type, the size limit, the whole body into memory, then its routing fields in
/// one pass (<see cref="RequestBodyReader"/>). Every problem is the client's, a 4xx.
/// </summary>
internal sealed class RequestIntake(IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    public async Task ReadAsync(GatewayCall call)
    {
        if (!call.Operation.HasBody())
        {
            return;
        }

        var request = call.Request;
        if (!MediaType.IsJson(request.ContentType))
        {
            throw new GatewayException(GatewayErrorKind.InvalidRequest,
                $"Invalid content type passed: '{request.ContentType ?? "(none)"}'. Send the body as JSON with the header Content-Type: application/json.");
        }

        var body = await ReadBodyAsync(request, _options.MaxRequestBodyBytes, call.Aborted);
        call.Body = RequestBodyReader.Read(body, _options.MaxJsonDepth);
    }

    /// <summary>The whole body, refusing more than <paramref name="limit"/> bytes with a 413.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(IClientRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        var reader = request.Body;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                // The client's framing is wrong (most often: it hung up before sending the Content-Length it declared).
                var kind = request.StatusOf(ex) switch
                {
                    408 => GatewayErrorKind.RequestTimeout,
                    413 => GatewayErrorKind.RequestTooLarge,
                    _ => GatewayErrorKind.InvalidRequest,
                };
                throw new GatewayException(kind, $"The request body could not be read: {ex.Message} Send the whole body that Content-Length declares.");
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
        new(GatewayErrorKind.RequestTooLarge, $"The request body is larger than {limit} bytes; send less (the limit is Switchyard:Gateway:MaxRequestBodyBytes).");
}
