using System.Globalization;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Stats;

/// <summary>
/// Counts traffic per second for the live charts: requests offered (arrived, or started by the traffic generator) and
/// answered, answers by outcome, and latency in the same 5 % buckets as the statistics. A request only touches an
/// in-memory tally under a short lock; <see cref="SecondSeriesFlusher"/> adds the tallies to Redis once a second in
/// one pipelined batch, so every instance's traffic lands in the same per-second hashes whatever the request rate.
/// </summary>
internal sealed class SecondSeriesRecorder(TimeProvider time)
{
    private readonly Lock gate = new();
    private Dictionary<(string Series, long Second), SecondTally> pending = [];

    /// <summary>A request arrived (simulators) or was started (traffic generator).</summary>
    public void Offered(string source, string operation) => Add(source, operation, tally => tally.Offered++);

    /// <summary>A request was answered with <paramref name="outcome"/> after <paramref name="latencyMs"/>.</summary>
    public void Answered(string source, string operation, string outcome, double latencyMs)
    {
        var bucket = RedisSimulatorStatsService.Bucket(latencyMs);
        Add(source, operation, tally =>
        {
            tally.Answered++;
            tally.Outcomes[outcome] = tally.Outcomes.GetValueOrDefault(outcome) + 1;
            tally.Latency[bucket] = tally.Latency.GetValueOrDefault(bucket) + 1;
        });
    }

    /// <summary>A request got no answer (the caller gave up or could not connect): counted by outcome, not as answered, no latency.</summary>
    public void Unanswered(string source, string operation, string outcome) =>
        Add(source, operation, tally => tally.Outcomes[outcome] = tally.Outcomes.GetValueOrDefault(outcome) + 1);

    private void Add(string source, string operation, Action<SecondTally> change)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var series = SeriesName(source, operation);
        lock (gate)
        {
            if (!pending.TryGetValue((series, second), out var tally))
            {
                tally = new SecondTally();
                pending[(series, second)] = tally;
            }
            change(tally);
        }
    }

    /// <summary>Hands over everything counted so far and starts afresh.</summary>
    public Dictionary<(string Series, long Second), SecondTally> TakePending()
    {
        lock (gate)
        {
            var taken = pending;
            pending = [];
            return taken;
        }
    }

    public static string SeriesName(string source, string operation) => source + ":" + operation;

    internal sealed class SecondTally
    {
        public long Offered { get; set; }
        public long Answered { get; set; }
        public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);
        public Dictionary<int, long> Latency { get; } = [];
    }
}

/// <summary>
/// Adds the recorder's tallies to Redis every second. A failed flush loses those counts (a gap in the charts, never a
/// stalled request); the worker loop logs the failure once and carries on.
/// </summary>
internal sealed class SecondSeriesFlusher(SecondSeriesRecorder recorder, IConnectionMultiplexer redis, ILogger<SecondSeriesFlusher> logger) : BackgroundService
{
    /// <summary>Long enough for the widest chart window (15 minutes) plus the seconds a late flush may take.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(16);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Per-second series flusher");
        await loop.RunAsync(_ => FlushAsync(), loop.Every(TimeSpan.FromSeconds(1)), stoppingToken);
        try
        {
            // What the last second counted, if Redis still answers.
            await FlushAsync();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
        }
    }

    internal async Task FlushAsync()
    {
        var taken = recorder.TakePending();
        if (taken.Count == 0) return;
        await BackgroundTelemetry.UntracedAsync(async () =>
        {
            var batch = redis.GetDatabase().CreateBatch();
            var writes = new List<Task>();
            foreach (var ((series, second), tally) in taken)
            {
                var key = SimRedisKeys.SecondSeries(series, second);
                if (tally.Offered > 0) writes.Add(batch.HashIncrementAsync(key, "offered", tally.Offered));
                if (tally.Answered > 0) writes.Add(batch.HashIncrementAsync(key, "answered", tally.Answered));
                foreach (var (outcome, n) in tally.Outcomes) writes.Add(batch.HashIncrementAsync(key, "o:" + outcome, n));
                foreach (var (bucket, n) in tally.Latency) writes.Add(batch.HashIncrementAsync(key, "l:" + bucket.ToString(CultureInfo.InvariantCulture), n));
                writes.Add(batch.KeyExpireAsync(key, Retention));
            }
            foreach (var series in taken.Keys.Select(k => k.Series).Distinct(StringComparer.Ordinal))
                writes.Add(batch.SetAddAsync(SimRedisKeys.SecondSeriesIndex, series));
            batch.Execute();
            await Task.WhenAll(writes);
        });
    }
}
