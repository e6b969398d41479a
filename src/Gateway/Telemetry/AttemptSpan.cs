using System.Diagnostics;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// The span of one upstream attempt, kind CLIENT, named <c>{gen_ai.operation.name} {model}</c> with the GenAI
/// attributes and <c>server.address</c>. HttpClient sends the provider a <c>traceparent</c> of whatever span is
/// current while it sends, which is this one (or HttpClient's own child of it). The attempt's HTTP outcome comes from
/// that child when it ends: <see cref="CopyOutcome"/>.
/// </summary>
internal static class AttemptSpan
{
    /// <summary>HttpClient's own source, whose request span ends with the answer's status or the error.</summary>
    public const string HttpClientSource = "System.Net.Http";

    /// <summary>Starts the attempt's span when tracing listens; null (and nothing spent) otherwise.</summary>
    public static Activity? Start(UpstreamRequest request)
    {
        if (!GatewayTelemetry.Source.HasListeners())
        {
            return null;
        }

        var operation = GenAiConventions.Operation(request.Call.Operation) ?? "models";
        var model = request.Call.Model;
        var activity = GatewayTelemetry.Source.StartActivity(model is { Length: > 0 } ? $"{operation} {model}" : operation, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAiConventions.OperationName, operation);
            activity.SetTag(GenAiConventions.ProviderName, GenAiConventions.Provider(request.ProviderSlug));
            if (model is { Length: > 0 })
            {
                activity.SetTag(GenAiConventions.RequestModel, model);
            }

            activity.SetTag(GenAiConventions.ServerAddress, request.Uri.Host);
            activity.SetTag(GenAiConventions.ServerPort, request.Uri.Port);
        }

        return activity;
    }

    /// <summary>
    /// When HttpClient's request span <paramref name="ended"/> under an attempt span, gives the attempt its status code,
    /// its <c>error.type</c> and an error status (a failed connection, a timeout, an HTTP error status).
    /// </summary>
    public static void CopyOutcome(Activity ended)
    {
        if (ended.Source.Name != HttpClientSource
            || ended.Parent is not { Kind: ActivityKind.Client } attempt
            || attempt.Source.Name != GatewayTelemetry.ActivitySourceName)
        {
            return;
        }

        if (ended.GetTagItem(GenAiConventions.HttpStatusCode) is { } status)
        {
            attempt.SetTag(GenAiConventions.HttpStatusCode, status);
        }

        if (ended.Status == ActivityStatusCode.Error || ended.GetTagItem(GenAiConventions.ErrorType) is not null)
        {
            attempt.SetTag(GenAiConventions.ErrorType, ended.GetTagItem(GenAiConventions.ErrorType) ?? "_OTHER");
            attempt.SetStatus(ActivityStatusCode.Error, ended.StatusDescription);
        }
    }
}
