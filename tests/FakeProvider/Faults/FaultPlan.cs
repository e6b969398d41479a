using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Switchyard.FakeProvider.Faults;

/// <summary>
/// What this request asked the fake to do wrong, validated. Every directive name is listed in
/// <see cref="Names"/>; anything else is rejected so that a typo in a test fails loudly
/// instead of silently testing the happy path.
/// </summary>
internal sealed record FaultPlan
{
    public const int DefaultStallMs = 60_000;
    public const int MaxWords = 1_000_000;

    public static readonly FaultPlan None = new();

    public static readonly IReadOnlyList<string> Names =
    [
        "status", "retry-after", "retry-after-ms", "latency", "scenario", "times",
        "chunk-delay", "stall-after", "stall", "cut-after", "malformed-after", "malformed", "words", "embed-as",
    ];

    public int? Status { get; init; }
    public string? RetryAfter { get; init; }
    public int? RetryAfterMs { get; init; }
    public int LatencyMs { get; init; }
    public string? ScenarioId { get; init; }
    public int? Times { get; init; }
    public int ChunkDelayMs { get; init; }
    public int? StallAfter { get; init; }
    public int StallMs { get; init; } = DefaultStallMs;
    public int? CutAfter { get; init; }
    public int? MalformedAfter { get; init; }
    public bool Malformed { get; init; }
    public int? Words { get; init; }

    /// <summary>Embeddings: every input gets the vector of this text instead of its own, so unlike texts can embed alike.</summary>
    public string? EmbedAs { get; init; }

    /// <summary>
    /// The plan once a scenario has used up its <c>times</c>: failures are dropped, while
    /// content and pacing (words, chunk-delay) stay so that retried requests look alike.
    /// </summary>
    public FaultPlan WithoutFailures() => this with
    {
        Status = null,
        RetryAfter = null,
        RetryAfterMs = null,
        LatencyMs = 0,
        StallAfter = null,
        CutAfter = null,
        MalformedAfter = null,
        Malformed = false,
    };

    public static bool TryCreate(
        IReadOnlyDictionary<string, string?> directives,
        [NotNullWhen(true)] out FaultPlan? plan,
        [NotNullWhen(false)] out string? error)
    {
        plan = null;
        var reader = new DirectiveReader(directives);
        foreach (var name in directives.Keys)
        {
            if (!Names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                error = $"unknown fault directive '{name}'; known directives: {string.Join(", ", Names)}";
                return false;
            }
        }

        if (!reader.Int("status", 400, 599, out var status)
            || !reader.RetryAfter(out var retryAfter)
            || !reader.Int("retry-after-ms", 0, int.MaxValue, out var retryAfterMs)
            || !reader.Int("latency", 0, int.MaxValue, out var latency)
            || !reader.Text("scenario", out var scenario)
            || !reader.Int("times", 0, int.MaxValue, out var times)
            || !reader.Int("chunk-delay", 0, int.MaxValue, out var chunkDelay)
            || !reader.Int("stall-after", 0, int.MaxValue, out var stallAfter)
            || !reader.Int("stall", 0, int.MaxValue, out var stall)
            || !reader.Int("cut-after", 0, int.MaxValue, out var cutAfter)
            || !reader.Int("malformed-after", 0, int.MaxValue, out var malformedAfter)
            || !reader.Flag("malformed", out var malformed)
            || !reader.Int("words", 0, MaxWords, out var words)
            || !reader.Text("embed-as", out var embedAs))
        {
            error = reader.Error!;
            return false;
        }

        if (times is not null && scenario is null)
        {
            error = "fault directive 'times' needs 'scenario' (or the x-fake-scenario header) to count requests by";
            return false;
        }

        if (stall is not null && stallAfter is null)
        {
            error = "fault directive 'stall' needs 'stall-after'";
            return false;
        }

        plan = new FaultPlan
        {
            Status = status,
            RetryAfter = retryAfter,
            RetryAfterMs = retryAfterMs,
            LatencyMs = latency ?? 0,
            ScenarioId = scenario,
            Times = times,
            ChunkDelayMs = chunkDelay ?? 0,
            StallAfter = stallAfter,
            StallMs = stall ?? DefaultStallMs,
            CutAfter = cutAfter,
            MalformedAfter = malformedAfter,
            Malformed = malformed,
            Words = words,
            EmbedAs = embedAs,
        };
        error = null;
        return true;
    }

    private sealed class DirectiveReader(IReadOnlyDictionary<string, string?> directives)
    {
        public string? Error { get; private set; }

        public bool Int(string name, int min, int max, out int? value)
        {
            value = null;
            if (!directives.TryGetValue(name, out var raw))
            {
                return true;
            }

            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
            {
                value = parsed;
                return true;
            }

            Error = $"fault directive '{name}' needs a whole number from {min} to {max}, got '{raw}'";
            return false;
        }

        public bool Text(string name, out string? value)
        {
            value = null;
            if (!directives.TryGetValue(name, out var raw))
            {
                return true;
            }

            if (string.IsNullOrEmpty(raw))
            {
                Error = $"fault directive '{name}' needs a value";
                return false;
            }

            value = raw;
            return true;
        }

        public bool Flag(string name, out bool value)
        {
            value = false;
            if (!directives.TryGetValue(name, out var raw))
            {
                return true;
            }

            switch (raw?.ToUpperInvariant())
            {
                case null or "" or "1" or "TRUE":
                    value = true;
                    return true;
                case "0" or "FALSE":
                    return true;
                default:
                    Error = $"fault directive '{name}' is a flag: give it bare, or as {name}=1 or {name}=0, got '{raw}'";
                    return false;
            }
        }

        /// <summary>Seconds or an HTTP date, the two forms RFC 9110 allows, so clients' parsing of both can be tested.</summary>
        public bool RetryAfter(out string? value)
        {
            value = null;
            if (!directives.TryGetValue("retry-after", out var raw))
            {
                return true;
            }

            if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                || DateTimeOffset.TryParseExact(raw, "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                value = raw;
                return true;
            }

            Error = $"fault directive 'retry-after' needs whole seconds or an HTTP date (RFC 1123), got '{raw}'";
            return false;
        }
    }
}
