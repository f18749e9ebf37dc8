using System.Diagnostics;
using System.Globalization;

namespace Platform.Benchmarks.Authorize;

/// <summary>What an open-loop run produced.</summary>
internal sealed record OpenLoopResult(int Rate, double Seconds, long Offered, long Completed, long Late, long Dropped,
    List<double> Latencies, List<double> FastRefusals, IReadOnlyDictionary<string, long> Outcomes)
{
    public double CompletedPerSecond => Completed / Seconds;

    public string OutcomeSummary => Outcomes.Count == 0 ? "none"
        : string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {o.Value}")));

    public double Share(Func<string, bool> outcome) => Offered == 0 ? 0 : (double)Outcomes.Where(o => outcome(o.Key)).Sum(o => o.Value) / Offered;
}

/// <summary>
/// Authorizations started on a fixed schedule whether or not earlier ones have answered (the way card networks
/// send them), so a slow platform shows as latency and refusals, not as a politely lower request rate. Latency is
/// measured from each request's scheduled time (no coordinated omission); a request the client itself could not start
/// within 10 ms of its time counts as late, and one it could not start at all (more than <c>maxInFlight</c>
/// outstanding) as dropped.
/// </summary>
internal static class OpenLoopLoad
{
    private static readonly TimeSpan LateAfter = TimeSpan.FromMilliseconds(10);

    public static async Task<OpenLoopResult> RunAsync(HttpClient api, IReadOnlyList<Guid> cards, int rate, TimeSpan duration, Spending spending, int maxInFlight = 4_000)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / (double)rate;
        var latencies = new List<double>((int)total);
        var fastRefusals = new List<double>();
        var outcomes = new Dictionary<string, long>();
        var gate = new object();
        long late = 0, dropped = 0, inFlight = 0, completed = 0;
        var pending = new List<Task>((int)total);
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total; i++)
        {
            var scheduled = start + (long)(i * interval);
            var wait = scheduled - Stopwatch.GetTimestamp();
            // Sleep until the start is due, never start early, and send every start that fell due meanwhile at once: the
            // timer wakes up to about a millisecond late, which the latency (measured from the schedule) includes.
            // Spinning to the exact tick kept a core busy for up to two milliseconds before each start, on the two cores
            // the benchmark measures.
            if (wait > 0) await Task.Delay(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            if (Stopwatch.GetElapsedTime(scheduled) > LateAfter) Interlocked.Increment(ref late);
            if (Interlocked.Read(ref inFlight) >= maxInFlight)
            {
                Interlocked.Increment(ref dropped);
                continue;
            }
            Interlocked.Increment(ref inFlight);
            var request = spending.Next(cards);
            pending.Add(Task.Run(async () =>
            {
                string outcome;
                double? elapsed = null;
                try
                {
                    using (request)
                    using (var response = await api.SendAsync(request))
                    {
                        var body = await response.Content.ReadAsByteArrayAsync();
                        elapsed = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
                        outcome = AuthorizationAnswer.Describe(response, body);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    outcome = "client " + ex.GetType().Name;
                }
                Interlocked.Decrement(ref inFlight);
                lock (gate)
                {
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    if (elapsed is { } ms)
                    {
                        latencies.Add(ms);
                        completed++;
                        if (outcome.StartsWith("declined 91", StringComparison.Ordinal) || outcome.StartsWith("HTTP 503", StringComparison.Ordinal)) fastRefusals.Add(ms);
                    }
                }
            }));
        }
        await Task.WhenAll(pending);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new OpenLoopResult(rate, seconds, total, completed, late, dropped, latencies, fastRefusals, outcomes);
    }
}
