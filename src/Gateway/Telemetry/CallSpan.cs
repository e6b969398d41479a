using System.Diagnostics;
using Switchyard.Gateway.Pipeline;

namespace Switchyard.Gateway.Telemetry;

/// <summary>
/// The span of one gateway call, kind INTERNAL: a child of ASP.NET Core's SERVER span for the HTTP request (which
/// continues a client's W3C <c>traceparent</c>), so a trace holds one server span per request as the conventions
/// want. It is started before the first step and named, tagged and ended when the call is over (after the observers),
/// because the model, the provider and the outcome are only known then. Without a listener it is nothing: a default
/// struct, no allocation.
/// </summary>
internal readonly struct CallSpan : IDisposable
{
    /// <summary>The <c>x-portkey-trace-id</c> the call ran under, so a span can be found from Portkey's id.</summary>
    public const string PortkeyTraceId = "portkey.trace_id";

    private readonly Activity? _activity;
    private readonly GatewayCall? _call;

    private CallSpan(Activity activity, GatewayCall call)
    {
        _activity = activity;
        _call = call;
    }

    /// <summary>Starts the call's span when tracing listens, and makes its id the call's <see cref="GatewayCall.SpanId"/>.</summary>
    public static CallSpan Start(GatewayCall call)
    {
        if (!GatewayTelemetry.Source.HasListeners())
        {
            return default;
        }

        var activity = GatewayTelemetry.Source.StartActivity(GenAiConventions.Operation(call.Operation) ?? "models", ActivityKind.Internal);
        if (activity is null)
        {
            return default;
        }

        call.SpanId = activity.SpanId.ToHexString();
        return new CallSpan(activity, call);
    }

    public void Dispose()
    {
        if (_activity is not { } activity)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            Describe(activity, _call!);
        }

        activity.Dispose();
    }

    private static void Describe(Activity activity, GatewayCall call)
    {
        var operation = GenAiConventions.Operation(call.Operation) ?? "models";
        var model = call.Body.Model;
        activity.DisplayName = model is { Length: > 0 } ? $"{operation} {model}" : operation;
        activity.SetTag(GenAiConventions.OperationName, operation);
        if (call.Provider is { } provider)
        {
            activity.SetTag(GenAiConventions.ProviderName, GenAiConventions.Provider(provider));
        }

        if (model is { Length: > 0 })
        {
            activity.SetTag(GenAiConventions.RequestModel, model);
        }

        if (call.ModelUsed is { } used)
        {
            activity.SetTag(GenAiConventions.ResponseModel, used);
        }

        if (call.Usage is { } usage)
        {
            activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
        }

        activity.SetTag(PortkeyTraceId, call.TraceId);
        activity.SetTag(GenAiConventions.HttpStatusCode, call.StatusCode);
        activity.SetTag("switchyard.cache.status", call.CacheStatus);
        if (CallMetrics.ErrorTypeOf(call) is { } errorType)
        {
            activity.SetTag(GenAiConventions.ErrorType, errorType);
            if (call.StatusCode >= 500 || call.StreamFailure is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, call.StreamFailure ?? call.ErrorMessage);
            }
        }
    }
}
