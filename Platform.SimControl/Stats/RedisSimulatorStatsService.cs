using System.Globalization;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Stats;

/// <summary>
/// Counters in Redis so the numbers cover every instance: a since-reset hash per operation (keyed by the reset epoch,
/// so a reset needs no scan) and 10-second bucket hashes that expire, for the last minute. Latency goes into
/// logarithmic buckets 5 % wide, which bounds the percentile error without storing samples. Requests are counted in
/// memory and flushed every <see cref="FlushEvery"/> (and before this instance reads a snapshot), off the request path.
/// </summary>
internal sealed class RedisSimulatorStatsService : ISimulatorStatsService, IDisposable
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);
    private const int BucketSeconds = 10;
    private const int BucketsPerMinute = 6;
    private static readonly double LogBase = Math.Log(1.05);
    private readonly IConnectionMultiplexer redis;
    private readonly TimeProvider time;
    private readonly RedisSimulatorSettingsStore store;
    private readonly ILogger<RedisSimulatorStatsService> logger;
    private readonly StatsAccumulator accumulator = new();
    private readonly SemaphoreSlim flushing = new(1, 1);
    private readonly ITimer timer;

    public RedisSimulatorStatsService(IConnectionMultiplexer redis, TimeProvider time, RedisSimulatorSettingsStore store, ILogger<RedisSimulatorStatsService> logger)
    {
        this.redis = redis;
        this.time = time;
        this.store = store;
        this.logger = logger;
        timer = time.CreateTimer(_ => _ = FlushAsync(), null, FlushEvery, FlushEvery);
    }

    public void Record(string simulator, string operation, string outcome, double latencyMs)
    {
        var db = redis.GetDatabase();
        // Every simulated request has just read the settings, so the epoch is current, reset included.
        var currentEpoch = store.LastKnownStatsEpoch ?? (long?)db.StringGet(SimRedisKeys.StatsEpoch) ?? 0;
        var latencyField = "l:" + Bucket(latencyMs).ToString(CultureInfo.InvariantCulture);
        var bucket = time.GetUtcNow().ToUnixTimeSeconds() / BucketSeconds;
        accumulator.Add(simulator + ":" + operation, SimRedisKeys.StatsTotal(simulator, operation, currentEpoch).ToString(),
            SimRedisKeys.StatsBucket(simulator, operation, bucket).ToString(), "o:" + outcome, latencyField);
    }

    /// <summary>Sends what has been counted since the last flush; one flush at a time, so increments are never reordered.</summary>
    private async Task FlushAsync()
    {
        await flushing.WaitAsync();
        try
        {
            var pending = accumulator.Drain();
            if (pending.IsEmpty) return;
            var batch = redis.GetDatabase().CreateBatch();
            var sent = new List<Task>();
            foreach (var member in pending.Operations) sent.Add(batch.SetAddAsync(SimRedisKeys.StatsOperations, member));
            foreach (var ((key, field), count) in pending.Counts) sent.Add(batch.HashIncrementAsync(key, field, count));
            foreach (var window in pending.Windows) sent.Add(batch.KeyExpireAsync(window, TimeSpan.FromSeconds(BucketSeconds * (BucketsPerMinute + 2))));
            // Totals of an epoch a reset has left behind go away on their own.
            foreach (var total in pending.Totals) sent.Add(batch.KeyExpireAsync(total, TimeSpan.FromDays(7)));
            batch.Execute();
            // Bounded: a command queued while the connection fails can be left never completed (StackExchange.Redis
            // issue 2742). A chaos run that restarted Redis found this flush waiting forever with the gate held, so
            // every later flush and every stats read hung behind it. Counts are increments, so a flush that times out
            // and lands later still adds up; one that never lands is lost like any failed flush.
            await Task.WhenAll(sent).WaitAsync(FlushTimeout);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException or TimeoutException)
        {
            // Statistics are best effort: a flush Redis could not take is dropped, never retried into the next window.
            logger.LogWarning(ex, "Could not flush simulator statistics");
        }
        finally
        {
            flushing.Release();
        }
    }

    public void Dispose() => timer.Dispose();

    public async Task<SimulatorStatsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default)
    {
        // What this instance has counted is in the answer it gives; other instances' arrives within a flush.
        await FlushAsync();
        var db = redis.GetDatabase();
        var now = time.GetUtcNow();
        var currentEpoch = (long?)await db.StringGetAsync(SimRedisKeys.StatsEpoch) ?? 0;
        var resetAtMs = (long?)await db.StringGetAsync(SimRedisKeys.StatsResetAt);
        DateTimeOffset? resetAt = resetAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        var nowBucket = now.ToUnixTimeSeconds() / BucketSeconds;
        var operations = (await db.SetMembersAsync(SimRedisKeys.StatsOperations)).Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList();

        var result = new List<OperationStats>();
        foreach (var entry in operations)
        {
            var parts = entry.Split(':', 2);
            var (simulator, operation) = (parts[0], parts[1]);
            var total = await db.HashGetAllAsync(SimRedisKeys.StatsTotal(simulator, operation, currentEpoch));
            var windows = new List<HashEntry>();
            for (var b = nowBucket - BucketsPerMinute + 1; b <= nowBucket; b++)
            {
                windows.AddRange(await db.HashGetAllAsync(SimRedisKeys.StatsBucket(simulator, operation, b)));
            }
            // The last-minute window runs from the start of the oldest bucket (or the reset, if later) to now.
            var windowStart = DateTimeOffset.FromUnixTimeSeconds((nowBucket - BucketsPerMinute + 1) * BucketSeconds);
            if (resetAt > windowStart) windowStart = resetAt.Value;
            var lastMinute = Summarize(windows, (now - windowStart).TotalSeconds);
            var sinceReset = Summarize(total, resetAt is { } since ? (now - since).TotalSeconds : double.NaN);
            if (resetAt is not null && lastMinute.Requests > sinceReset.Requests) lastMinute = sinceReset;
            if (sinceReset.Requests == 0 && lastMinute.Requests == 0) continue;
            result.Add(new OperationStats(simulator, operation, lastMinute, sinceReset));
        }
        return new SimulatorStatsSnapshot(now, resetAt, result);
    }

    private static StatsWindow Summarize(IEnumerable<HashEntry> entries, double seconds)
    {
        long requests = 0;
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        var latency = new SortedDictionary<int, long>();
        foreach (var e in entries)
        {
            var name = e.Name.ToString();
            var value = (long)e.Value;
            if (name == "requests") requests += value;
            else if (name.StartsWith("o:", StringComparison.Ordinal)) outcomes[name[2..]] = outcomes.GetValueOrDefault(name[2..]) + value;
            else if (name.StartsWith("l:", StringComparison.Ordinal))
            {
                var idx = int.Parse(name.AsSpan(2), CultureInfo.InvariantCulture);
                latency[idx] = latency.GetValueOrDefault(idx) + value;
            }
        }
        var rps = double.IsFinite(seconds) && seconds > 0 ? Math.Round(requests / seconds, 2) : 0;
        return new StatsWindow(requests, rps, outcomes, Percentiles(latency));
    }

    private static LatencyPercentiles Percentiles(SortedDictionary<int, long> histogram)
    {
        var count = histogram.Values.Sum();
        if (count == 0) return new LatencyPercentiles(0, 0, 0, 0);
        double At(double q)
        {
            var rank = (long)Math.Ceiling(q * count);
            long seen = 0;
            foreach (var (idx, n) in histogram)
            {
                seen += n;
                if (seen >= rank) return UpperBound(idx);
            }
            return UpperBound(histogram.Keys.Last());
        }
        return new LatencyPercentiles(At(0.5), At(0.9), At(0.99), UpperBound(histogram.Keys.Last()));
    }

    internal static int Bucket(double ms) => ms <= 1 ? 0 : (int)Math.Ceiling(Math.Log(ms) / LogBase);

    private static double UpperBound(int bucket) => Math.Round(Math.Pow(1.05, bucket), 1);
}
