using System.Globalization;
using Switchyard.State;

namespace Switchyard.Grains;

/// <summary>
/// The persisted state of one <see cref="VirtualKeyGrain"/> and the arithmetic of its leases: per quota its settled use
/// and every front door's cumulative lease totals, per front door its last sequence and when its leases expire. Plain
/// code with the clock passed in, so the numbers are tested without a cluster.
/// </summary>
/// <remarks>
/// A quota's outstanding is always summed from its leases, never kept as a counter of its own that could drift from
/// them. Money and counts are longs; sums and differences go through <see cref="Int128"/> because a limit without a hard
/// cap is <see cref="long.MaxValue"/>.
/// </remarks>
[GenerateSerializer, Alias("Switchyard.VirtualKeyLedger")]
internal sealed class VirtualKeyLedger
{
    /// <summary>The entity's quotas by <see cref="KeyOf(QuotaMeter, DateTimeOffset)"/>.</summary>
    [Id(0)]
    public Dictionary<string, QuotaAccount> Accounts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The front doors that exchanged with the grain, by holder id.</summary>
    [Id(1)]
    public Dictionary<string, LeaseHolderRecord> Holders { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the spend settled before quotas lived in grains has been read into <see cref="Accounts"/>.</summary>
    [Id(2)]
    public bool LegacySpendImported { get; set; }

    /// <summary>A quota's key: its meter and the instant its period or window starts.</summary>
    public static string KeyOf(QuotaMeter meter, DateTimeOffset start) =>
        string.Create(CultureInfo.InvariantCulture, $"{QuotaText.Write(meter)}@{start.UtcTicks}");

    public static string KeyOf(QuotaSpan span) => KeyOf(span.Meter, span.Start);

    /// <summary>Rejects an exchange no front door should send; called before anything changes.</summary>
    public static void Validate(LeaseExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (string.IsNullOrWhiteSpace(exchange.HolderId))
        {
            throw new ArgumentException("An exchange must name its holder.", nameof(exchange));
        }

        if (exchange.Totals is null || exchange.Asks is null)
        {
            throw new ArgumentException("An exchange's totals and asks must not be null (send empty arrays).", nameof(exchange));
        }

        foreach (var totals in exchange.Totals)
        {
            if (totals?.Span is null)
            {
                throw new ArgumentException("Lease totals must name their quota.", nameof(exchange));
            }

            if (totals.Returned < 0 || totals.Spent < 0)
            {
                throw new ArgumentException($"Lease totals of {KeyOf(totals.Span)} must not be negative (returned {totals.Returned}, spent {totals.Spent}).", nameof(exchange));
            }
        }

        foreach (var ask in exchange.Asks)
        {
            if (ask?.Span is null)
            {
                throw new ArgumentException("An ask must name its quota.", nameof(exchange));
            }

            if (ask.Limit < 0 || ask.Need < 0 || ask.Prefetch < 0)
            {
                throw new ArgumentException($"An ask for {KeyOf(ask.Span)} must not be negative (limit {ask.Limit}, need {ask.Need}, prefetch {ask.Prefetch}).", nameof(exchange));
            }
        }
    }

    /// <summary>
    /// Reclaims expired leases, then, unless the exchange's sequence is not new, renews the holder, applies its totals
    /// and grants its asks. <see cref="ExchangeOutcome.Changed"/> says whether anything must be written before the reply:
    /// a renewal alone needs no write (a reactivated grain renews every holder itself).
    /// </summary>
    public ExchangeOutcome Exchange(LeaseExchange exchange, DateTimeOffset now, LeaseOptions options)
    {
        Validate(exchange);
        var reclaimed = Reclaim(now, options);
        var holderId = exchange.HolderId;
        if (Holders.TryGetValue(holderId, out var holder) && exchange.Sequence <= holder.LastSequence)
        {
            return new(Reply(exchange, refused: null, usedBefore: null, accepted: false), reclaimed, reclaimed.Leases > 0);
        }

        if (holder is null)
        {
            holder = new LeaseHolderRecord();
            Holders[holderId] = holder;
        }

        holder.LastSequence = exchange.Sequence;
        holder.ExpiresAt = now + options.LeaseLifetime;
        holder.LastSeenAt = now;

        // Closing asks nothing of the grain: the lease record stays for the holder's life, so a close whose reply was
        // lost and is sent again counts once; prune forgets it with its holder.
        var changed = reclaimed.Leases > 0;
        var usedBefore = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var totals in exchange.Totals)
        {
            changed |= ApplyTotals(holderId, totals, now, usedBefore);
        }

        HashSet<string>? refused = null;
        foreach (var ask in exchange.Asks)
        {
            var granted = Grant(holderId, ask, now, options);
            if (granted is null)
            {
                (refused ??= new(StringComparer.Ordinal)).Add(KeyOf(ask.Span));
            }
            else if (granted > 0)
            {
                changed = true;
            }
        }

        return new(Reply(exchange, refused, usedBefore, accepted: true), reclaimed, changed);
    }

    /// <summary>
    /// Takes back the outstanding part of every lease whose holder stopped renewing more than the meter's grace ago
    /// (<see cref="LeaseOptions.ConcurrencyReclaimAfter"/> for concurrency, <see cref="LeaseOptions.ReclaimAfter"/> otherwise).
    /// </summary>
    public ReclaimOutcome Reclaim(DateTimeOffset now, LeaseOptions options)
    {
        var leases = 0;
        Int128 amount = 0;
        foreach (var account in Accounts.Values)
        {
            var grace = account.MeterKind() == QuotaMeter.Concurrent ? options.ConcurrencyReclaimAfter : options.ReclaimAfter;
            foreach (var (holderId, lease) in account.Leases)
            {
                var outstanding = lease.Outstanding();
                if (outstanding == 0)
                {
                    continue;
                }

                // A lease whose holder record is missing has no one left to renew it.
                if (Holders.TryGetValue(holderId, out var holder) && holder.ExpiresAt + grace >= now)
                {
                    continue;
                }

                lease.Reclaimed = SaturatingAdd(lease.Reclaimed, outstanding);
                account.UpdatedAt = now;
                leases++;
                amount += outstanding;
            }
        }

        return new(leases, amount);
    }

    /// <summary>
    /// Forgets what no longer matters: rate-limit windows that ended more than <see cref="LeaseOptions.RateWindowRetention"/>
    /// ago with nothing outstanding, and holders silent for more than <see cref="LeaseOptions.ForgetHolderAfter"/> with
    /// nothing outstanding (with their lease records). Budget quotas are the spend ledger and stay. True when anything went.
    /// </summary>
    public bool Prune(DateTimeOffset now, LeaseOptions options)
    {
        var pruned = false;
        var windowsEndedBefore = now - options.RateWindowRetention;
        foreach (var (key, account) in Accounts.ToArray())
        {
            if (account.MeterKind() is QuotaMeter.Requests or QuotaMeter.Tokens
                && account.End is { } end && end < windowsEndedBefore
                && account.Outstanding() == 0)
            {
                Accounts.Remove(key);
                pruned = true;
            }
        }

        foreach (var (holderId, holder) in Holders.ToArray())
        {
            if (now - holder.LastSeenAt > options.ForgetHolderAfter && !HoldsAnything(holderId))
            {
                Holders.Remove(holderId);
                foreach (var account in Accounts.Values)
                {
                    account.Leases.Remove(holderId);
                }

                pruned = true;
            }
        }

        return pruned;
    }

    /// <summary>
    /// Keeps every known holder's leases alive until at least <paramref name="until"/>. Renewals are not written, so the
    /// stored expiries are stale: a grain reading them back must not reclaim a front door that kept renewing.
    /// </summary>
    public void ExtendHolders(DateTimeOffset until)
    {
        foreach (var holder in Holders.Values)
        {
            if (holder.ExpiresAt < until)
            {
                holder.ExpiresAt = until;
            }
        }
    }

    /// <summary>Each holder's expiry and last contact, to carry over a reload of the stored state.</summary>
    public Dictionary<string, LeaseHolderRecord> Renewals() =>
        Holders.ToDictionary(
            pair => pair.Key,
            pair => new LeaseHolderRecord { ExpiresAt = pair.Value.ExpiresAt, LastSeenAt = pair.Value.LastSeenAt },
            StringComparer.Ordinal);

    /// <summary>
    /// After the stored state was read back, keeps the renewals this grain had seen (later than the stored ones, which
    /// are only written with other changes). Sequences stay as stored.
    /// </summary>
    public void KeepRenewals(IReadOnlyDictionary<string, LeaseHolderRecord> renewals)
    {
        foreach (var (holderId, holder) in Holders)
        {
            if (renewals.TryGetValue(holderId, out var seen))
            {
                holder.ExpiresAt = seen.ExpiresAt > holder.ExpiresAt ? seen.ExpiresAt : holder.ExpiresAt;
                holder.LastSeenAt = seen.LastSeenAt > holder.LastSeenAt ? seen.LastSeenAt : holder.LastSeenAt;
            }
        }
    }

    /// <summary>Adds the settled use of quota windows recorded before the grain existed, and marks the import done.</summary>
    public void ImportSettledSpend(IEnumerable<QuotaUsage> rows, DateTimeOffset now)
    {
        foreach (var row in rows)
        {
            var window = row.Window;
            var account = AccountFor(new QuotaSpan(window.Meter, window.Start, window.End), now, out _);
            account.Used = SaturatingAdd(account.Used, Math.Max(0, row.Used));
            account.UpdatedAt = row.UpdatedAt;
        }

        LegacySpendImported = true;
    }

    /// <summary>Every quota's standing, newest period or window first, then by meter name.</summary>
    public QuotaStanding[] Usage() =>
        Accounts.Values
            .OrderByDescending(account => account.Start)
            .ThenBy(account => account.Meter, StringComparer.Ordinal)
            .Select(account => new QuotaStanding(account.Span(), account.Used, Clamp(account.Outstanding()), account.UpdatedAt))
            .ToArray();

    internal static long SaturatingAdd(long value, long addend) => Clamp((Int128)value + addend);

    private static long Clamp(Int128 value) =>
        value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;

    /// <summary>
    /// The share of <paramref name="rest"/> one of <paramref name="live"/> holders may prefetch. Decimal keeps the
    /// product exact for any long, so the floor never lands above the true slice.
    /// </summary>
    private static long Share(long rest, double fraction, int live)
    {
        if (rest <= 0 || fraction <= 0)
        {
            return 0;
        }

        var share = decimal.Floor(rest * (decimal)fraction / live);
        return share >= rest ? rest : (long)share;
    }

    private bool ApplyTotals(string holderId, LeaseTotals totals, DateTimeOffset now, Dictionary<string, long> usedBefore)
    {
        var account = AccountFor(totals.Span, now, out var changed);
        if (!account.Leases.TryGetValue(holderId, out var lease))
        {
            lease = new LeaseRecord();
            account.Leases[holderId] = lease;
            changed = true;
        }

        if (totals.Returned > lease.Returned)
        {
            lease.Returned = totals.Returned;
            account.UpdatedAt = now;
            changed = true;
        }

        if (totals.Spent > lease.Spent)
        {
            usedBefore.TryAdd(KeyOf(totals.Span), account.Used);
            account.Used = SaturatingAdd(account.Used, totals.Spent - lease.Spent);
            lease.Spent = totals.Spent;
            account.UpdatedAt = now;
            changed = true;
        }

        return changed;
    }

    /// <summary>What the ask was granted (0 or more), or null when it needed more than the quota has left.</summary>
    private long? Grant(string holderId, GrantAsk ask, DateTimeOffset now, LeaseOptions options)
    {
        Accounts.TryGetValue(KeyOf(ask.Span), out var existing);
        var available = (Int128)ask.Limit - (existing?.Used ?? 0) - (existing?.Outstanding() ?? 0);
        if (ask.Need > available)
        {
            return null;
        }

        // Need <= available <= Limit, so the rest and the grant fit in a long.
        var rest = (long)(available - ask.Need);
        var live = 1 + (existing?.LiveHoldersBesides(holderId, Holders, now) ?? 0);
        var grant = ask.Need + Math.Min(ask.Prefetch, Share(rest, options.SliceFraction, live));
        if (grant == 0)
        {
            return 0;
        }

        var account = existing ?? AccountFor(ask.Span, now, out _);
        if (!account.Leases.TryGetValue(holderId, out var lease))
        {
            lease = new LeaseRecord();
            account.Leases[holderId] = lease;
        }

        lease.Granted = SaturatingAdd(lease.Granted, grant);
        account.UpdatedAt = now;
        return grant;
    }

    private QuotaAccount AccountFor(QuotaSpan span, DateTimeOffset now, out bool created)
    {
        var key = KeyOf(span);
        created = !Accounts.TryGetValue(key, out var account);
        if (account is null)
        {
            account = new QuotaAccount { Meter = QuotaText.Write(span.Meter), Start = span.Start, End = span.End, UpdatedAt = now };
            Accounts[key] = account;
        }

        return account;
    }

    private bool HoldsAnything(string holderId)
    {
        foreach (var account in Accounts.Values)
        {
            if (account.Leases.TryGetValue(holderId, out var lease) && lease.Outstanding() > 0)
            {
                return true;
            }
        }

        return false;
    }

    private LeaseExchangeReply Reply(LeaseExchange exchange, HashSet<string>? refused, Dictionary<string, long>? usedBefore, bool accepted)
    {
        var standings = new List<LeaseStanding>(exchange.Totals.Length + exchange.Asks.Length);
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var totals in exchange.Totals)
        {
            Add(totals.Span);
        }

        foreach (var ask in exchange.Asks)
        {
            Add(ask.Span);
        }

        return new LeaseExchangeReply([.. standings], accepted);

        void Add(QuotaSpan span)
        {
            var key = KeyOf(span);
            if (named.Add(key))
            {
                standings.Add(Standing(span, key, exchange.HolderId, refused?.Contains(key) == true, usedBefore));
            }
        }
    }

    private LeaseStanding Standing(QuotaSpan span, string key, string holderId, bool refused, Dictionary<string, long>? usedBefore)
    {
        if (!Accounts.TryGetValue(key, out var account))
        {
            return new LeaseStanding(span, 0, 0, refused, 0, 0, 0, 0, 0);
        }

        var used = account.Used;
        var before = usedBefore is not null && usedBefore.TryGetValue(key, out var earlier) ? earlier : used;
        var outstanding = Clamp(account.Outstanding());
        return account.Leases.TryGetValue(holderId, out var lease)
            ? new LeaseStanding(span, lease.Granted, lease.Reclaimed, refused, used, outstanding, before, lease.Returned, lease.Spent)
            : new LeaseStanding(span, 0, 0, refused, used, outstanding, before, 0, 0);
    }
}

/// <summary>One quota of the entity: a budget period, a rate-limit window or the concurrency count.</summary>
[GenerateSerializer, Alias("Switchyard.QuotaAccount")]
internal sealed class QuotaAccount
{
    /// <summary>The meter by its stored name (<see cref="QuotaText"/>), which stays stable whatever the enum's order.</summary>
    [Id(0)]
    public string Meter { get; set; } = "";

    [Id(1)]
    public DateTimeOffset Start { get; set; }

    [Id(2)]
    public DateTimeOffset? End { get; set; }

    /// <summary>Settled use.</summary>
    [Id(3)]
    public long Used { get; set; }

    [Id(4)]
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Every front door's lease on this quota, by holder id.</summary>
    [Id(5)]
    public Dictionary<string, LeaseRecord> Leases { get; set; } = new(StringComparer.Ordinal);

    public QuotaMeter MeterKind() => QuotaText.ReadMeter(Meter);

    public QuotaSpan Span() => new(MeterKind(), Start, End);

    /// <summary>What all leases hold: the quota's outstanding is this sum and nothing else.</summary>
    public Int128 Outstanding()
    {
        Int128 sum = 0;
        foreach (var lease in Leases.Values)
        {
            sum += lease.Outstanding();
        }

        return sum;
    }

    /// <summary>Holders other than <paramref name="holderId"/> holding something here whose leases are still renewed.</summary>
    public int LiveHoldersBesides(string holderId, Dictionary<string, LeaseHolderRecord> holders, DateTimeOffset now)
    {
        var live = 0;
        foreach (var (id, lease) in Leases)
        {
            if (id != holderId && lease.Outstanding() > 0 && holders.TryGetValue(id, out var holder) && holder.ExpiresAt >= now)
            {
                live++;
            }
        }

        return live;
    }
}

/// <summary>One front door's lease on one quota: cumulative totals, kept for the front door's life so a repeated message counts once.</summary>
[GenerateSerializer, Alias("Switchyard.LeaseRecord")]
internal sealed class LeaseRecord
{
    [Id(0)]
    public long Granted { get; set; }

    [Id(1)]
    public long Returned { get; set; }

    [Id(2)]
    public long Spent { get; set; }

    /// <summary>What the grain took back itself after the front door stopped renewing.</summary>
    [Id(3)]
    public long Reclaimed { get; set; }

    /// <summary>
    /// Granted less returned and reclaimed, never below 0: a front door back after a reclaim returns what was already
    /// taken back, and that must not free the quota a second time.
    /// </summary>
    public long Outstanding() => (long)Int128.Max(0, (Int128)Granted - Returned - Reclaimed);
}

/// <summary>A front door that exchanged with the grain.</summary>
[GenerateSerializer, Alias("Switchyard.LeaseHolderRecord")]
internal sealed class LeaseHolderRecord
{
    /// <summary>The sequence of the last exchange applied; one not above it changes nothing.</summary>
    [Id(0)]
    public long LastSequence { get; set; }

    /// <summary>When all the front door's leases on this entity expire unless it exchanges again.</summary>
    [Id(1)]
    public DateTimeOffset ExpiresAt { get; set; }

    [Id(2)]
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>What an exchange did: the reply, what was reclaimed first, and whether the state must be written before replying.</summary>
internal readonly record struct ExchangeOutcome(LeaseExchangeReply Reply, ReclaimOutcome Reclaimed, bool Changed);

/// <summary>How many leases were reclaimed and how much they held.</summary>
internal readonly record struct ReclaimOutcome(int Leases, Int128 Amount);
