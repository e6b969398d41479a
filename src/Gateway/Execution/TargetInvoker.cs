using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Execution;

/// <summary>What calling one target came to: the last attempt's outcome and Portkey's retry count.</summary>
/// <param name="RetryCount">Retries made; -1 when retries ran out (or a Retry-After was too long) while the answer was still retryable.</param>
internal sealed record TargetResult(UpstreamOutcome Outcome, int RetryCount);

/// <summary>
/// Calls one target with its retry policy and per-attempt timeout, on Polly.Core pipelines cached per retry setting.
/// </summary>
internal sealed class TargetInvoker
{
    private static readonly ResiliencePropertyKey<Invocation> InvocationKey = new("switchyard.invocation");

    private readonly UpstreamClient _client;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<RetryKey, ResiliencePipeline<UpstreamOutcome>> _pipelines = new();

    public TargetInvoker(UpstreamClient client, IOptions<GatewayOptions> options, TimeProvider time)
    {
        _client = client;
        _options = options.Value;
        _time = time;
    }

    public async Task<TargetResult> InvokeAsync(UpstreamRequest request, RetrySettings? retry, CallTimings timings, CancellationToken cancellationToken)
    {
        var attempts = retry?.Attempts ?? 0;
        var pipeline = _pipelines.GetOrAdd(RetryKey.For(retry), static (key, self) => self.Build(key), this);
        var invocation = new Invocation(_client, request, retry, timings, _time);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(InvocationKey, invocation);
        UpstreamOutcome outcome;
        try
        {
            outcome = await pipeline.ExecuteAsync(
                static async (context, invocation) => await invocation.AttemptAsync(context.CancellationToken),
                context,
                invocation);
        }
        catch (TimeoutRejectedException)
        {
            outcome = UpstreamOutcome.TimedOut(request.Timeout);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var retries = invocation.Attempts - 1;
        var stillRetryable = attempts > 0 && IsRetryable(outcome, retry!) && (retries == attempts || invocation.RefusedRetryAfter);
        return new TargetResult(outcome, stillRetryable ? -1 : retries);
    }

    private ResiliencePipeline<UpstreamOutcome> Build(RetryKey key)
    {
        var builder = new ResiliencePipelineBuilder<UpstreamOutcome> { TimeProvider = _time };
        if (key.Attempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<UpstreamOutcome>
            {
                MaxRetryAttempts = key.Attempts,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(NextDelay(args.Outcome, args.Context, args.AttemptNumber)),
                OnRetry = async args =>
                {
                    args.Context.Properties.GetValue(InvocationKey, null!).Timings.Backoff += args.RetryDelay;
                    if (args.Outcome.Result is { } discarded)
                    {
                        await discarded.DisposeAsync();
                    }
                },
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(InvocationKey, null!).Request.Timeout),
        });
        return builder.Build();
    }

    private bool ShouldRetry(Outcome<UpstreamOutcome> outcome, ResilienceContext context)
    {
        var invocation = context.Properties.GetValue(InvocationKey, null!);
        var retry = invocation.Retry!;
        if (outcome.Exception is not null)
        {
            // A timed-out attempt is a 408: retried only when the config lists 408. Cancellation by the client is never retried.
            return outcome.Exception is TimeoutRejectedException && retry.OnStatusCodes.Contains(408);
        }

        var result = outcome.Result!;
        if (!IsRetryable(result, retry))
        {
            return false;
        }

        if (retry.UseRetryAfterHeader && result.RetryAfter is { } wait
            && (wait > _options.MaxRetryAfter || invocation.RetryAfterWaited + wait > _options.MaxRetryAfter))
        {
            invocation.RefusedRetryAfter = true;
            return false;
        }

        return true;
    }

    private TimeSpan NextDelay(Outcome<UpstreamOutcome> outcome, ResilienceContext context, int attemptNumber)
    {
        var invocation = context.Properties.GetValue(InvocationKey, null!);
        if (invocation.Retry!.UseRetryAfterHeader && outcome.Result?.RetryAfter is { } wait)
        {
            invocation.RetryAfterWaited += wait;
            return wait;
        }

        return RetryBackoff.Delay(attemptNumber, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());
    }

    /// <summary>Network failures and broken bodies are always retried; answers only when their status is listed.</summary>
    private static bool IsRetryable(UpstreamOutcome outcome, RetrySettings retry) => outcome.Kind switch
    {
        OutcomeKind.Network or OutcomeKind.InvalidResponse => true,
        _ => retry.OnStatusCodes.Contains(outcome.StatusCode),
    };

    private sealed class Invocation(UpstreamClient client, UpstreamRequest request, RetrySettings? retry, CallTimings timings, TimeProvider time)
    {
        public UpstreamRequest Request { get; } = request;

        public RetrySettings? Retry { get; } = retry;

        public CallTimings Timings { get; } = timings;

        public int Attempts { get; private set; }

        public TimeSpan RetryAfterWaited { get; set; }

        public bool RefusedRetryAfter { get; set; }

        public async ValueTask<UpstreamOutcome> AttemptAsync(CancellationToken cancellationToken)
        {
            Attempts++;
            var started = time.GetTimestamp();
            try
            {
                return await client.SendAsync(Request, cancellationToken);
            }
            finally
            {
                Timings.Upstream += time.GetElapsedTime(started);
            }
        }
    }

    private readonly record struct RetryKey(int Attempts)
    {
        public static RetryKey For(RetrySettings? retry) => new(retry?.Attempts ?? 0);
    }
}
