using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Switchyard.Gateway.Health;
using Switchyard.Gateway.Pipeline;
using Switchyard.Gateway.Routing;
using Switchyard.Gateway.Upstream;

namespace Switchyard.Gateway.Targets;

/// <summary>What calling one target came to: the last attempt's outcome and Portkey's retry count.</summary>
/// <param name="RetryCount">Retries made; -1 when retries ran out (or a Retry-After was too long) while the answer was still retryable.</param>
internal sealed record TargetResult(UpstreamOutcome Outcome, int RetryCount);

/// <summary>
/// Calls one target with its retry policy, circuit breaker and per-attempt timeout: retry, then the target's breaker
/// (which sees every attempt), then the timeout, on Polly.Core pipelines cached per retry setting and per target.
/// A target whose circuit is open is not called at all.
/// </summary>
internal sealed class TargetInvoker
{
    private static readonly ResiliencePropertyKey<Invocation> InvocationKey = new("switchyard.invocation");

    private readonly UpstreamClient _client;
    private readonly GatewayOptions _options;
    private readonly TimeProvider _time;
    private readonly CircuitBreakers _circuits;
    private readonly ConcurrentDictionary<RetryKey, ResiliencePipeline<UpstreamOutcome>> _pipelines = new();
    private readonly ResiliencePipeline<UpstreamOutcome> _timeout;

    public TargetInvoker(UpstreamClient client, IOptions<GatewayOptions> options, TimeProvider time, CircuitBreakers circuits)
    {
        _client = client;
        _options = options.Value;
        _time = time;
        _circuits = circuits;
        _timeout = new ResiliencePipelineBuilder<UpstreamOutcome> { TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(InvocationKey, null!).Request.Timeout),
            })
            .Build();
    }

    /// <param name="circuit">The target's <c>cb_config</c> after inheritance; null leaves it to the gateway's defaults.</param>
    /// <param name="log">Where each attempt is written down for the request log; null writes none.</param>
    public async Task<TargetResult> InvokeAsync(UpstreamRequest request, RetrySettings? retry, CircuitSettings? circuit, CallTimings timings, CancellationToken cancellationToken, AttemptLog? log = null)
    {
        var breaker = _circuits.For(request, circuit);
        var probing = false;
        if (breaker is not null)
        {
            var (admission, skipped) = await _circuits.AdmitAsync(breaker, request.Timeout, cancellationToken);
            if (admission == CircuitAdmission.Skip)
            {
                log?.Add(request, skipped!, _time.GetTimestamp());
                return new TargetResult(skipped!, 0);
            }

            probing = admission == CircuitAdmission.Probe;
        }

        var attempts = retry?.Attempts ?? 0;
        var invocation = new Invocation(_client, request, retry, timings, _time, breaker?.Pipeline, _timeout, log, cancellationToken);
        if (attempts == 0 && breaker is null)
        {
            // Nothing to retry and no breaker, the common case: one attempt under its timeout, without the pipeline's layers.
            return new TargetResult(await invocation.SingleAttemptAsync(cancellationToken), 0);
        }

        var pipeline = _pipelines.GetOrAdd(RetryKey.For(retry), static (key, self) => self.Build(key), this);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(InvocationKey, invocation);
        UpstreamOutcome outcome;
        try
        {
            outcome = await pipeline.ExecuteAsync(
                static async (context, invocation) => await invocation.GuardedAttemptAsync(context),
                context,
                invocation);
        }
        catch (TimeoutRejectedException)
        {
            outcome = UpstreamOutcome.TimedOut(request.Timeout);
        }
        catch (BrokenCircuitException refusal) when (breaker is not null)
        {
            // The breaker opened between retries: this attempt was skipped, as a whole target is when its circuit is open.
            outcome = _circuits.Refused(breaker, refusal);
            log?.Add(request, outcome, _time.GetTimestamp());
        }
        catch (Exception) when (probing)
        {
            // The probe never finished (the client went away): the next call may probe at once instead of waiting out the claim.
            await _circuits.AbandonProbeAsync(breaker!);
            throw;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (probing)
        {
            await _circuits.ReportProbeAsync(breaker!, outcome);
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

    /// <summary>Timers cannot run longer than this; a longer timeout means none (as in Polly's timeout strategy).</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private sealed class Invocation(
        UpstreamClient client,
        UpstreamRequest request,
        RetrySettings? retry,
        CallTimings timings,
        TimeProvider time,
        ResiliencePipeline<UpstreamOutcome>? breaker,
        ResiliencePipeline<UpstreamOutcome> timeout,
        AttemptLog? log,
        CancellationToken clientGone)
    {
        public UpstreamRequest Request { get; } = request;

        public RetrySettings? Retry { get; } = retry;

        public CallTimings Timings { get; } = timings;

        public int Attempts { get; private set; }

        public TimeSpan RetryAfterWaited { get; set; }

        public bool RefusedRetryAfter { get; set; }

        /// <summary>One attempt through the target's breaker (when it has one) and the per-attempt timeout.</summary>
        public ValueTask<UpstreamOutcome> GuardedAttemptAsync(ResilienceContext context) => breaker is null
            ? TimedAttemptAsync(context)
            : breaker.ExecuteAsync(static (context, self) => self.TimedAttemptAsync(context), context, this);

        private ValueTask<UpstreamOutcome> TimedAttemptAsync(ResilienceContext context) =>
            timeout.ExecuteAsync(static async (context, self) => await self.AttemptAsync(context.CancellationToken), context, this);

        /// <summary>The one attempt of a target without retries or breaker, timed out exactly as the timeout strategy would.</summary>
        public async Task<UpstreamOutcome> SingleAttemptAsync(CancellationToken cancellationToken)
        {
            if (Request.Timeout <= TimeSpan.Zero || Request.Timeout >= LongestTimer)
            {
                return await AttemptAsync(cancellationToken);
            }

            using var timeout = new CancellationTokenSource(Request.Timeout, time);
            using var client = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
            try
            {
                return await AttemptAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return UpstreamOutcome.TimedOut(Request.Timeout);
            }
        }

        private async ValueTask<UpstreamOutcome> AttemptAsync(CancellationToken cancellationToken)
        {
            using var span = Telemetry.AttemptSpan.Start(Request);                 // the attempt's span, when tracing listens
            Attempts++;
            var started = time.GetTimestamp();
            try
            {
                var outcome = await client.SendAsync(Request, cancellationToken);
                log?.Add(Request, outcome, started);
                return outcome;
            }
            catch (OperationCanceledException) when (log is { } attempts)
            {
                attempts.AddCancelled(Request, clientGone.IsCancellationRequested, started);
                throw;
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
