using Microsoft.Extensions.Logging;
using Switchyard.Grains;

namespace Switchyard.State.Orleans.Quotas;

/// <summary>
/// The front door's quota bank: leases from each governed entity's <see cref="IVirtualKeyGrain"/>, admission from the
/// local balance in memory (all or nothing over a request's claims, under one lock), settlement in memory, and one
/// exchange at a time per entity in the background: refills when a balance runs short, budget spend within
/// <see cref="LeaseOptions.SettleDelay"/>, everything else (and lease renewal) at each checkpoint, idle leases
/// returned. Every figure sent is cumulative, so an exchange lost, retried or repeated loses or doubles nothing.
/// </summary>
/// <remarks>
/// Claims without a hard cap are never leased: they are admitted and their spend delivered, also while the grain is
/// unreachable. A hard claim beyond what this front door holds then fails closed with
/// <see cref="QuotaBankUnavailableException"/>; unsent settlements stay here until the grain answers again.
/// </remarks>
internal sealed partial class LeasedQuotaBank : IQuotaBank, ILeaseHolder, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly LeaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task>? _refreshLimits;
    private readonly Lock _gate = new();
    private readonly Dictionary<(GovernedKind, string, QuotaMeter, long), HeldLease> _leases = [];
    private readonly Dictionary<string, EntityLink> _entities = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ILeaseHolder? _self;
    private Task? _loop;
    private long _exchanges;
    private long _grants;
    private long _sequence;
    private int _disposed;

    /// <param name="refreshLimits">Reloads the catalog's limits before leases are returned on a limits push, so the next grant asks with the new caps.</param>
    public LeasedQuotaBank(IGrainFactory grains, LeaseOptions options, TimeProvider time, ILogger<LeasedQuotaBank> logger, Func<CancellationToken, Task>? refreshLimits = null)
    {
        _grains = grains;
        options.Validate();
        _options = options;
        _time = time;
        _logger = logger;
        _refreshLimits = refreshLimits;
    }

    public event Action<QuotaChange>? SpendRecorded;

    /// <summary>This front door as the grains know it (a new id per process start).</summary>
    public string HolderId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Exchanges sent to grains so far (measurements, tests).</summary>
    public long Exchanges => Interlocked.Read(ref _exchanges);

    /// <summary>Exchanges that raised a lease's allotment, since the process started (metrics).</summary>
    public long LeaseGrants => Interlocked.Read(ref _grants);

    /// <summary>
    /// What is left of every budget this front door holds a lease on in its current window: the cap less the settled and
    /// reserved spend as this front door sees it (metrics). Budgets it was never asked to admit against are not listed.
    /// </summary>
    public IReadOnlyList<(QuotaWindow Window, long Remaining)> Budgets()
    {
        var now = _time.GetUtcNow();
        var budgets = new List<(QuotaWindow, long)>();
        lock (_gate)
        {
            foreach (var lease in _leases.Values)
            {
                if (lease.IsBudget && lease.Limit > 0 && lease.Window.Start <= now && (lease.Window.End is not { } end || now < end))
                {
                    budgets.Add((lease.Window, Math.Max(0, lease.Limit - lease.Taken)));
                }
            }
        }

        return budgets;
    }

    public async ValueTask<QuotaDecision> ReserveAsync(IReadOnlyList<QuotaClaim> claims, CancellationToken cancellationToken)
    {
        foreach (var claim in claims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Amount, nameof(claims));
            ArgumentOutOfRangeException.ThrowIfNegative(claim.Limit, nameof(claims));
        }

        Start();
        var refused = new HashSet<HeldLease>();
        while (true)
        {
            List<Shortfall> shortfalls;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                shortfalls = Shortfalls(claims, now);
                if (shortfalls.Count == 0)
                {
                    return new QuotaDecision(-1, Admit(claims, now));
                }

                var first = -1;
                foreach (var shortfall in shortfalls)
                {
                    if (refused.Contains(shortfall.Lease) && (first < 0 || shortfall.FirstClaim < first))
                    {
                        first = shortfall.FirstClaim;
                    }
                }

                if (first >= 0)
                {
                    return new QuotaDecision(first, Peek(claims, now));
                }
            }

            await Task.WhenAll(shortfalls.GroupBy(s => s.Entity).Select(group => RefillAsync(group.Key, [.. group], refused, cancellationToken)));
        }
    }

    public void Settle(IReadOnlyList<QuotaSettlement> settlements)
    {
        foreach (var settlement in settlements)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Reserved, nameof(settlements));
            ArgumentOutOfRangeException.ThrowIfNegative(settlement.Actual, nameof(settlements));
        }

        List<EntityLink>? prompt = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var (window, reserved, actual) in settlements)
            {
                var (link, lease) = GetOrAdd(window, now);
                var given = Math.Min(reserved, lease.InFlight);
                lease.InFlight -= given;
                lease.Returned += given;
                if (!lease.IsConcurrency && actual > 0)
                {
                    lease.Spent = HeldLease.Saturate((Int128)lease.Spent + actual);
                    if (lease.IsBudget)
                    {
                        lease.PendingSpend.Add((lease.Spent, actual));
                        if (!link.PromptFlush)
                        {
                            link.PromptFlush = true;
                            (prompt ??= []).Add(link);
                        }
                    }
                }

                lease.UpdatedAt = now;
            }
        }

        foreach (var link in prompt ?? [])
        {
            _ = DeliverSoonAsync(link);
        }
    }

    public async Task<IReadOnlyList<QuotaUsage>> UsageAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken)
    {
        var key = GovernedEntityKey.Of(kind, entityId);
        EntityLink? link;
        lock (_gate)
        {
            _entities.TryGetValue(key, out link);
        }

        if (link is not null)
        {
            // This front door's own settlements first, so a read right after a call counts it.
            await ExchangeAsync(link, asks: null, ExchangeReason.Deliver, refused: null, cancellationToken);
        }

        var standings = await _grains.GetGrain<IVirtualKeyGrain>(key).UsageAsync().WaitAsync(cancellationToken);
        var rows = new List<QuotaUsage>(standings.Length);
        lock (_gate)
        {
            foreach (var standing in standings)
            {
                var window = new QuotaWindow(kind, entityId, standing.Span.Meter, standing.Span.Start, standing.Span.End);
                var reserved = standing.Outstanding;
                var used = standing.Used;
                var updated = standing.UpdatedAt;
                if (_leases.TryGetValue(Key(window), out var lease))
                {
                    // The grain counts this front door's whole unused balance as reserved; what is really reserved here is in flight.
                    reserved = HeldLease.Saturate((Int128)reserved - lease.HeldAtGrain + lease.InFlight);
                    used = HeldLease.Saturate((Int128)used + lease.Spent - lease.SentSpent);
                    updated = lease.UpdatedAt > updated ? lease.UpdatedAt : updated;
                }

                rows.Add(new QuotaUsage(window, used, reserved, updated));
            }
        }

        return rows;
    }

    public Task LimitsChangedAsync(GovernedKind kind, string entityId, CancellationToken cancellationToken) =>
        _grains.GetGrain<IVirtualKeyGrain>(GovernedEntityKey.Of(kind, entityId)).LimitsChangedAsync().WaitAsync(cancellationToken);

    /// <summary>The grain's push: the entity's limits changed. Answered at once; the leases go back in the background.</summary>
    Task ILeaseHolder.LimitsChanged(string entityKey)
    {
        _ = ReturnAfterLimitsChangeAsync(entityKey);
        return Task.CompletedTask;
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<EntityLink> links;
        lock (_gate)
        {
            links = [.. _entities.Values];
        }

        await Task.WhenAll(links.Select(link => ExchangeAsync(link, asks: null, ExchangeReason.ReturnAll, refused: null, cancellationToken)));
    }

    /// <summary>Runs one checkpoint: rates, then per entity delivery, renewal and return of idle leases.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        List<EntityLink> due;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var lease in _leases.Values)
            {
                var seconds = (now - lease.RateSince).TotalSeconds;
                if (seconds > 0)
                {
                    lease.Rate = lease.Rate / 2 + lease.UnitsSinceTick / seconds / 2;
                    lease.UnitsSinceTick = 0;
                    lease.RateSince = now;
                }
            }

            Forget(now);
            due = [.. _entities.Values.Where(link => IsDue(link, now))];
        }

        foreach (var link in due)
        {
            try
            {
                await ExchangeAsync(link, asks: null, ExchangeReason.Checkpoint, refused: null, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogExchangeFailed(_logger, link.Key, ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await FlushAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            // Whatever was not returned comes back when the grains reclaim the leases.
            LogExchangeFailed(_logger, "*", ex);
        }

        _stopping.Dispose();
    }

    /// <summary>Starts the checkpoint loop once; the first reservation or settlement calls it.</summary>
    public void Start()
    {
        if (_loop is not null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_gate)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.CheckpointInterval, _time, stopping);
                await CheckpointAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogExchangeFailed(_logger, "*", ex);
            }
        }
    }

    private async Task DeliverSoonAsync(EntityLink link)
    {
        try
        {
            await Task.Delay(_options.SettleDelay, _time, _stopping.Token);
            lock (_gate)
            {
                link.PromptFlush = false;
            }

            await ExchangeAsync(link, asks: null, ExchangeReason.Deliver, refused: null, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Kept: the next checkpoint delivers it.
            lock (_gate)
            {
                link.PromptFlush = false;
            }

            LogExchangeFailed(_logger, link.Key, ex);
        }
    }

    private async Task ReturnAfterLimitsChangeAsync(string entityKey)
    {
        try
        {
            if (_refreshLimits is not null)
            {
                await _refreshLimits(_stopping.Token);
            }

            EntityLink? link;
            lock (_gate)
            {
                _entities.TryGetValue(entityKey, out link);
            }

            if (link is not null)
            {
                await ExchangeAsync(link, asks: null, ExchangeReason.ReturnAll, refused: null, _stopping.Token);
            }
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            LogExchangeFailed(_logger, entityKey, ex);
        }
        catch (Exception)
        {
            // Shutting down: the leases go back with the final flush.
        }
    }

    private Task RefillAsync(EntityLink link, List<Shortfall> shortfalls, HashSet<HeldLease> refused, CancellationToken cancellationToken) =>
        ExchangeAsync(link, shortfalls, ExchangeReason.Refill, refused, cancellationToken);

    /// <summary>
    /// One exchange with the entity's grain (one at a time per entity): every lease's cumulative totals that changed or
    /// need renewal, the leases given back for <paramref name="reason"/>, and the grants <paramref name="asks"/> still need.
    /// </summary>
    private async Task ExchangeAsync(EntityLink link, List<Shortfall>? asks, ExchangeReason reason, HashSet<HeldLease>? refused, CancellationToken cancellationToken)
    {
        await link.Turn.WaitAsync(cancellationToken);
        try
        {
            LeaseExchange exchange;
            List<(HeldLease Lease, long Returned, long Spent)> sent = [];
            List<HeldLease> asked = [];
            DateTimeOffset sentAt;
            lock (_gate)
            {
                sentAt = _time.GetUtcNow();
                var grants = new List<GrantAsk>();
                var renewing = new HashSet<HeldLease>();
                foreach (var shortfall in asks ?? [])
                {
                    var lease = shortfall.Lease;
                    var need = shortfall.Amount - lease.Balance;
                    if (need > 0)
                    {
                        grants.Add(new GrantAsk(lease.Span, shortfall.Limit, need, Prefetch(lease, sentAt)));
                        asked.Add(lease);
                    }
                    else if (lease.Usable(sentAt) < shortfall.Amount)
                    {
                        renewing.Add(lease); // enough balance, but no longer valid: renewing it is all it needs
                    }
                }

                if (asks is not null && grants.Count == 0 && renewing.Count == 0)
                {
                    return; // covered meanwhile (an exchange before this one brought enough)
                }

                if (asks is not null && sentAt < link.UnavailableUntil)
                {
                    throw Unavailable(link, null);
                }

                var totals = new List<LeaseTotals>();
                foreach (var lease in link.Leases)
                {
                    var idle = lease.InFlight == 0 && (sentAt - lease.LastReservedAt >= _options.LeaseLifetime || lease.Window.End <= sentAt);
                    var returning = reason == ExchangeReason.ReturnAll || (reason == ExchangeReason.Checkpoint && idle);
                    if (returning && lease.Balance > 0)
                    {
                        lease.Returned += lease.Balance;
                    }

                    var renew = (lease.HeldAtGrain > 0 && reason == ExchangeReason.Checkpoint) || renewing.Contains(lease) || link.Unsynced;
                    if (lease.Unsent || renew || (returning && lease.HeldAtGrain > 0))
                    {
                        totals.Add(new LeaseTotals(lease.Span, lease.Returned, lease.Spent, returning));
                        sent.Add((lease, lease.Returned, lease.Spent));
                    }
                }

                if (totals.Count == 0 && grants.Count == 0)
                {
                    return;
                }

                // One sequence for every grain: it only ever grows, so no exchange can look older than one sent before it.
                _self ??= _grains.CreateObjectReference<ILeaseHolder>(this);
                exchange = new LeaseExchange(HolderId, ++_sequence, [.. totals], [.. grants], _self);
                asked.AddRange(renewing);
            }

            LeaseExchangeReply reply;
            try
            {
                Interlocked.Increment(ref _exchanges);

                // Not cancelled with the request: a grant made but never read stays counted for this front door, and the
                // next reply's cumulative figures bring it here anyway.
                reply = await link.Grain.ExchangeAsync(exchange);
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    link.UnavailableUntil = _time.GetUtcNow() + _options.RetryAfterFailure;
                    link.LastExchangeAt = DateTimeOffset.MinValue;

                    // The grain may have applied it (a grant among it) and only the reply was lost: the next checkpoint
                    // names every lease of the entity, so the cumulative figures in its reply bring back what this one
                    // would have.
                    link.Unsynced = true;
                }

                LogExchangeFailed(_logger, link.Key, ex);
                if (asked.Count > 0)
                {
                    throw Unavailable(link, ex);
                }

                throw;
            }

            if (!reply.Accepted)
            {
                // Only a grain that lost what it had persisted answers this way; its standings are still current.
                LogNotAccepted(_logger, link.Key, exchange.Sequence);
            }

            List<QuotaChange>? spend = null;
            lock (_gate)
            {
                link.UnavailableUntil = DateTimeOffset.MinValue;
                link.LastExchangeAt = sentAt;
                link.Unsynced &= !(reply.Accepted && sent.Count == link.Leases.Count);
                if (reply.Accepted)
                {
                    foreach (var (lease, returned, spent) in sent)
                    {
                        lease.SentReturned = Math.Max(lease.SentReturned, returned);
                        lease.SentSpent = Math.Max(lease.SentSpent, spent);
                    }
                }

                foreach (var standing in reply.Standings)
                {
                    if (!_leases.TryGetValue(Key(link, standing.Span), out var lease))
                    {
                        continue;
                    }

                    var allotted = standing.Granted - standing.Reclaimed;
                    if (allotted > lease.Allotted)
                    {
                        Interlocked.Increment(ref _grants);
                        lease.LastGrant = allotted - lease.Allotted;
                        lease.LastGrantAt = sentAt;
                    }

                    lease.Allotted = allotted;
                    lease.BankUsed = standing.Used;
                    lease.BankOutstanding = standing.Outstanding;
                    if (reply.Accepted)
                    {
                        lease.ValidUntil = sentAt + Validity(lease);
                    }

                    if ((standing.Refused || !reply.Accepted) && asked.Contains(lease))
                    {
                        refused?.Add(lease);
                    }

                    if (lease.PendingSpend.Count > 0)
                    {
                        Place(lease, standing, ref spend);
                    }
                }
            }

            foreach (var change in spend ?? [])
            {
                SpendRecorded?.Invoke(change);
            }
        }
        finally
        {
            link.Turn.Release();
        }
    }

    /// <summary>
    /// The exchange added this front door's spend to the quota in one step, from <see cref="LeaseStanding.UsedBefore"/>:
    /// each budget settlement it carried sits at its own offset in that step, so each alert threshold is crossed by
    /// exactly one settlement cluster-wide. Settlements a lost reply already delivered cannot be placed any more and
    /// raise nothing.
    /// </summary>
    private static void Place(HeldLease lease, LeaseStanding standing, ref List<QuotaChange>? spend)
    {
        var applied = standing.Used - standing.UsedBefore;
        var before = standing.Spent - applied;
        var confirmed = 0;
        foreach (var (end, amount) in lease.PendingSpend)
        {
            if (end > standing.Spent)
            {
                break;
            }

            confirmed++;
            var start = end - amount;
            if (applied > 0 && start >= before)
            {
                var at = standing.UsedBefore + (start - before);
                (spend ??= []).Add(new QuotaChange(lease.Window, at, at + amount));
            }
        }

        lease.PendingSpend.RemoveRange(0, confirmed);
    }

    private TimeSpan Validity(HeldLease lease) =>
        _options.LeaseLifetime + (lease.IsConcurrency ? _options.ConcurrencyReclaimAfter : _options.ReclaimAfter) - _options.ClockSkewAllowance;

    /// <summary>About a lease lifetime of this front door's own traffic: its measured rate or, until that is known, twice the last slice if that went within a lifetime.</summary>
    private long Prefetch(HeldLease lease, DateTimeOffset now)
    {
        if (lease.IsConcurrency)
        {
            return 0;
        }

        var ahead = Math.Max(lease.Rate * _options.LeaseLifetime.TotalSeconds, now - lease.LastGrantAt < _options.LeaseLifetime ? 2.0 * lease.LastGrant : 0);
        return (long)Math.Min(long.MaxValue / 4, ahead);
    }

    private bool IsDue(EntityLink link, DateTimeOffset now)
    {
        if (link.Unsynced)
        {
            return true;
        }

        var renewDue = now - link.LastExchangeAt >= _options.LeaseLifetime / 3;
        foreach (var lease in link.Leases)
        {
            var idle = lease.InFlight == 0 && (now - lease.LastReservedAt >= _options.LeaseLifetime || lease.Window.End <= now);
            if (lease.Unsent || (lease.HeldAtGrain > 0 && (renewDue || idle)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Drops leases of windows long over with nothing held, in flight or unsent (a late settlement re-creates one; long over means past any request's lifetime).</summary>
    private void Forget(DateTimeOffset now)
    {
        List<HeldLease>? done = null;
        foreach (var lease in _leases.Values)
        {
            if (lease.Window.End is { } end && end + _options.ReclaimAfter < now && lease.InFlight == 0 && !lease.Unsent && lease.HeldAtGrain == 0)
            {
                (done ??= []).Add(lease);
            }
        }

        foreach (var lease in done ?? [])
        {
            _leases.Remove(Key(lease.Window));
            var entity = GovernedEntityKey.Of(lease.Window.Kind, lease.Window.EntityId);
            if (_entities.TryGetValue(entity, out var link))
            {
                link.Leases.Remove(lease);
                if (link.Leases.Count == 0)
                {
                    _entities.Remove(entity);
                }
            }
        }
    }

    private List<Shortfall> Shortfalls(IReadOnlyList<QuotaClaim> claims, DateTimeOffset now)
    {
        List<Shortfall>? needs = null;
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (!claim.IsHard)
            {
                continue;
            }

            var (link, lease) = GetOrAdd(claim.Window, now);
            lease.Limit = claim.Limit;
            needs ??= [];
            var known = needs.FindIndex(s => s.Lease == lease);
            if (known >= 0)
            {
                needs[known] = needs[known] with { Amount = needs[known].Amount + claim.Amount, Limit = Math.Min(needs[known].Limit, claim.Limit) };
            }
            else
            {
                needs.Add(new Shortfall(link, lease, i, claim.Amount, claim.Limit));
            }
        }

        return needs is null ? [] : needs.FindAll(s => s.Lease.Usable(now) < s.Amount);
    }

    private long[] Admit(IReadOnlyList<QuotaClaim> claims, DateTimeOffset now)
    {
        var taken = new long[claims.Count];
        var leases = new HeldLease[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            var (_, lease) = GetOrAdd(claims[i].Window, now);
            leases[i] = lease;
            if (claims[i].IsHard)
            {
                lease.InFlight = HeldLease.Saturate((Int128)lease.InFlight + claims[i].Amount);
                lease.UnitsSinceTick += claims[i].Amount;
            }

            lease.LastReservedAt = now;
            lease.UpdatedAt = now;
        }

        for (var i = 0; i < claims.Count; i++)
        {
            taken[i] = leases[i].Taken;
        }

        return taken;
    }

    private long[] Peek(IReadOnlyList<QuotaClaim> claims, DateTimeOffset now)
    {
        var taken = new long[claims.Count];
        for (var i = 0; i < claims.Count; i++)
        {
            taken[i] = GetOrAdd(claims[i].Window, now).Lease.Taken;
        }

        return taken;
    }

    private (EntityLink Link, HeldLease Lease) GetOrAdd(QuotaWindow window, DateTimeOffset now)
    {
        if (_leases.TryGetValue(Key(window), out var lease))
        {
            return (lease.Link!, lease);
        }

        var entity = GovernedEntityKey.Of(window.Kind, window.EntityId);
        if (!_entities.TryGetValue(entity, out var link))
        {
            link = new EntityLink(entity, window.Kind, window.EntityId, _grains.GetGrain<IVirtualKeyGrain>(entity));
            _entities.Add(entity, link);
        }

        lease = new HeldLease(window, now) { Link = link };
        _leases.Add(Key(window), lease);
        link.Leases.Add(lease);
        return (link, lease);
    }

    private static (GovernedKind, string, QuotaMeter, long) Key(QuotaWindow window) => (window.Kind, window.EntityId, window.Meter, window.Start.UtcTicks);

    private static (GovernedKind, string, QuotaMeter, long) Key(EntityLink link, QuotaSpan span) => (link.Kind, link.EntityId, span.Meter, span.Start.UtcTicks);

    private static QuotaBankUnavailableException Unavailable(EntityLink link, Exception? inner) => new(
        $"The quota authority of {link.Key} cannot be reached and this front door's leases do not cover the request's hard limits, so it is refused.",
        inner);

    [LoggerMessage(Level = LogLevel.Error, Message = "The quota grain {Entity} did not accept exchange {Sequence} as new; it refuses what that exchange asked for")]
    private static partial void LogNotAccepted(ILogger logger, string entity, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quota lease exchange with {Entity} failed; settlements are kept and sent again")]
    private static partial void LogExchangeFailed(ILogger logger, string entity, Exception exception);

    private enum ExchangeReason
    {
        /// <summary>Grants for requests waiting on them.</summary>
        Refill,

        /// <summary>Settled spend soon after it happened (budgets) or before a usage read.</summary>
        Deliver,

        /// <summary>The periodic pass: deliver, renew held leases, return idle ones.</summary>
        Checkpoint,

        /// <summary>Give every unused balance back (limits changed, flush, shutdown).</summary>
        ReturnAll,
    }

    private readonly record struct Shortfall(EntityLink Entity, HeldLease Lease, int FirstClaim, long Amount, long Limit);

    /// <summary>One governed entity's grain as this front door talks to it: exchanges go one at a time, numbered.</summary>
    internal sealed class EntityLink(string key, GovernedKind kind, string entityId, IVirtualKeyGrain grain)
    {
        public string Key { get; } = key;

        public GovernedKind Kind { get; } = kind;

        public string EntityId { get; } = entityId;

        public IVirtualKeyGrain Grain { get; } = grain;

        public SemaphoreSlim Turn { get; } = new(1, 1);

        public List<HeldLease> Leases { get; } = [];

        public DateTimeOffset UnavailableUntil { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastExchangeAt { get; set; } = DateTimeOffset.MinValue;

        public bool PromptFlush { get; set; }

        /// <summary>An exchange failed after it may have been applied: until one names every lease, this front door may not know all it was granted.</summary>
        public bool Unsynced { get; set; }
    }
}
