using System.Collections.Concurrent;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Traffic;

/// <summary>One traffic run's state and counters, updated by many requests at once and read once a second.</summary>
internal sealed class TrafficRun(string id, TrafficPlan plan, DateTimeOffset startedAt)
{
    private readonly ConcurrentDictionary<string, long> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> operations = new(StringComparer.Ordinal);
    private readonly Lock latencyGate = new();
    private readonly Dictionary<int, long> latency = [];
    private long offered, answered, unanswered, dropped, inFlight;

    public string Id { get; } = id;
    public TrafficPlan Plan { get; } = plan;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public string State { get; set; } = TrafficStates.Preparing;
    public string? Detail { get; set; } = "Signing in and preparing test cards";
    public int CardsReady { get; set; }
    public DateTimeOffset? RunningSince { get; set; }
    public DateTimeOffset? DrivingEndedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Cancelled to stop starting requests (those in flight still finish).</summary>
    public CancellationTokenSource Stop { get; } = new();

    public long InFlight => Interlocked.Read(ref inFlight);

    public void Started(string operation)
    {
        Interlocked.Increment(ref offered);
        Interlocked.Increment(ref inFlight);
        operations.AddOrUpdate(operation, 1, (_, n) => n + 1);
    }

    public void Dropped() => Interlocked.Increment(ref dropped);

    public void Answered(int status, string outcome, double milliseconds)
    {
        Interlocked.Increment(ref answered);
        answers.AddOrUpdate(status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
        outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        var bucket = RedisSimulatorStatsService.Bucket(milliseconds);
        lock (latencyGate) latency[bucket] = latency.GetValueOrDefault(bucket) + 1;
    }

    public void Unanswered(string outcome)
    {
        Interlocked.Increment(ref unanswered);
        outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
    }

    public void Finished() => Interlocked.Decrement(ref inFlight);

    public TrafficStatus Snapshot(DateTimeOffset now, string instance)
    {
        Dictionary<int, long> histogram;
        lock (latencyGate) histogram = new(latency);
        var sent = Interlocked.Read(ref offered);
        return new TrafficStatus(Id, State, Detail, Plan, StartedAt, RunningSince, RunningSince?.AddSeconds(Plan.DurationSeconds), EndedAt, CardsReady,
            sent, Interlocked.Read(ref answered), Interlocked.Read(ref unanswered), Interlocked.Read(ref dropped), InFlight, AchievedRate(sent, now),
            Sorted(answers), Sorted(outcomes), Sorted(operations),
            new TrafficLatency(LatencyHistogram.Percentile(histogram, 0.5), LatencyHistogram.Percentile(histogram, 0.99)), instance);
    }

    /// <summary>
    /// Requests started per second of driving. A run that kept to its schedule took its duration; one that fell behind
    /// took longer, and the longer time is what counts.
    /// </summary>
    private double AchievedRate(long sent, DateTimeOffset now)
    {
        if (RunningSince is not { } since) return 0;
        var end = DrivingEndedAt ?? now;
        var seconds = (end - since).TotalSeconds;
        if (DrivingEndedAt is not null && State == TrafficStates.Completed) seconds = Math.Max(seconds, Plan.DurationSeconds);
        return seconds <= 0 ? 0 : Math.Round(sent / seconds, 2);
    }

    private static SortedDictionary<string, long> Sorted(ConcurrentDictionary<string, long> counts) => new(counts, StringComparer.Ordinal);
}
