using System.Globalization;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Stats;

/// <summary>One second of one series: requests offered and answered, answers by outcome, latency percentiles.</summary>
public sealed record SecondPoint(long Second, long Offered, long Answered, IReadOnlyDictionary<string, long> Outcomes, double P50, double P99)
{
    /// <summary>The latency histogram behind the percentiles (5 % buckets), so points of several series can be combined.</summary>
    internal IReadOnlyDictionary<int, long> Latency { get; init; } = new Dictionary<int, long>();

    public DateTimeOffset At => DateTimeOffset.FromUnixTimeSeconds(Second);
}

/// <summary>
/// A run of consecutive seconds of one series (<c>source</c> processor, bureau or api; <c>operation</c> authorize …),
/// one point per second, seconds without traffic included as zeros.
/// </summary>
public sealed record SecondSeries(string Source, string Operation, IReadOnlyList<SecondPoint> Points)
{
    /// <summary>Adds up several series second by second (percentiles recomputed from the merged histograms).</summary>
    public static IReadOnlyList<SecondPoint> Combine(IReadOnlyList<SecondSeries> series, long fromSecond, long toSecond)
    {
        var points = new List<SecondPoint>((int)Math.Max(0, toSecond - fromSecond + 1));
        var bySecond = series.Select(s => s.Points.ToDictionary(p => p.Second)).ToList();
        for (var second = fromSecond; second <= toSecond; second++)
        {
            long offered = 0, answered = 0;
            var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
            var latency = new Dictionary<int, long>();
            foreach (var map in bySecond)
            {
                if (!map.TryGetValue(second, out var p)) continue;
                offered += p.Offered;
                answered += p.Answered;
                foreach (var (k, v) in p.Outcomes) outcomes[k] = outcomes.GetValueOrDefault(k) + v;
                foreach (var (k, v) in p.Latency) latency[k] = latency.GetValueOrDefault(k) + v;
            }
            points.Add(SecondSeriesReader.Point(second, offered, answered, outcomes, latency));
        }
        return points;
    }
}

/// <summary>The live charts' data: every series over the same seconds, up to the last complete one.</summary>
public sealed record LiveSeriesSnapshot(DateTimeOffset At, long FromSecond, long ToSecond, IReadOnlyList<SecondSeries> Series);

/// <summary>
/// Reads the per-second hashes for the charts. Seconds older than a few are final once read and stay cached, so a
/// refresh every second reads only the newest seconds; every open page on this instance shares one refresh.
/// </summary>
internal sealed class SecondSeriesReader(IConnectionMultiplexer redis, TimeProvider time)
{
    public const int MaxWindowSeconds = 15 * 60;

    /// <summary>Seconds this close to now may still receive a late flush from another instance: read them again.</summary>
    private const int UnsettledSeconds = 5;

    /// <summary>The newest second shown: the flushers add a second's tallies within about two seconds.</summary>
    private const int CompleteAfterSeconds = 2;

    private readonly SemaphoreSlim refresh = new(1, 1);
    private readonly Dictionary<string, Dictionary<long, SecondPoint>> cache = new(StringComparer.Ordinal);
    private LiveSeriesSnapshot? last;

    public async Task<LiveSeriesSnapshot> GetAsync(int windowSeconds, CancellationToken cancellationToken = default)
    {
        windowSeconds = Math.Clamp(windowSeconds, 10, MaxWindowSeconds);
        await refresh.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var to = now.ToUnixTimeSeconds() - CompleteAfterSeconds;
            // Pages refreshing every second on the same instance share one read.
            if (last is null || last.ToSecond != to)
            {
                last = await ReadAsync(to - MaxWindowSeconds + 1, to, now);
            }
            return Slice(last, to - windowSeconds + 1);
        }
        finally
        {
            refresh.Release();
        }
    }

    private static LiveSeriesSnapshot Slice(LiveSeriesSnapshot snapshot, long from) =>
        snapshot with
        {
            FromSecond = from,
            Series = snapshot.Series.Select(s => s with { Points = s.Points.Where(p => p.Second >= from).ToList() }).ToList(),
        };

    private async Task<LiveSeriesSnapshot> ReadAsync(long from, long to, DateTimeOffset now)
    {
        var db = redis.GetDatabase();
        var names = (await db.SetMembersAsync(SimRedisKeys.SecondSeriesIndex)).Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList();
        var reads = new List<(string Series, long Second, Task<HashEntry[]> Read)>();
        var batch = db.CreateBatch();
        foreach (var name in names)
        {
            if (!cache.TryGetValue(name, out var seconds)) cache[name] = seconds = [];
            foreach (var old in seconds.Keys.Where(s => s < from).ToList()) seconds.Remove(old);
            for (var second = from; second <= to; second++)
            {
                if (seconds.ContainsKey(second) && second <= to - UnsettledSeconds) continue;
                reads.Add((name, second, batch.HashGetAllAsync(SimRedisKeys.SecondSeries(name, second))));
            }
        }
        batch.Execute();
        await Task.WhenAll(reads.Select(r => r.Read));
        foreach (var (name, second, read) in reads) cache[name][second] = Parse(second, read.Result);

        var series = new List<SecondSeries>();
        foreach (var name in names)
        {
            var parts = name.Split(':', 2);
            var seconds = cache[name];
            var points = new List<SecondPoint>((int)(to - from + 1));
            for (var second = from; second <= to; second++) points.Add(seconds.GetValueOrDefault(second) ?? Empty(second));
            // A series with nothing in the window (traffic long gone) is not drawn.
            if (points.Any(p => p.Offered > 0 || p.Answered > 0)) series.Add(new SecondSeries(parts[0], parts.Length > 1 ? parts[1] : "", points));
        }
        return new LiveSeriesSnapshot(now, from, to, series);
    }

    private static SecondPoint Empty(long second) => new(second, 0, 0, new Dictionary<string, long>(), 0, 0);

    private static SecondPoint Parse(long second, HashEntry[] entries)
    {
        long offered = 0, answered = 0;
        var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
        var latency = new Dictionary<int, long>();
        foreach (var e in entries)
        {
            var name = e.Name.ToString();
            var value = (long)e.Value;
            if (name == "offered") offered = value;
            else if (name == "answered") answered = value;
            else if (name.StartsWith("o:", StringComparison.Ordinal)) outcomes[name[2..]] = value;
            else if (name.StartsWith("l:", StringComparison.Ordinal)) latency[int.Parse(name.AsSpan(2), CultureInfo.InvariantCulture)] = value;
        }
        return Point(second, offered, answered, outcomes, latency);
    }

    internal static SecondPoint Point(long second, long offered, long answered, Dictionary<string, long> outcomes, Dictionary<int, long> latency) =>
        new(second, offered, answered, outcomes, LatencyHistogram.Percentile(latency, 0.5), LatencyHistogram.Percentile(latency, 0.99)) { Latency = latency };
}

/// <summary>Percentiles from the 5 %-wide logarithmic latency buckets (the bucket's upper bound, as the statistics report).</summary>
internal static class LatencyHistogram
{
    public static double Percentile(IReadOnlyDictionary<int, long> histogram, double q)
    {
        var count = histogram.Values.Sum();
        if (count == 0) return 0;
        var rank = (long)Math.Ceiling(q * count);
        long seen = 0;
        foreach (var (bucket, n) in histogram.OrderBy(kv => kv.Key))
        {
            seen += n;
            if (seen >= rank) return UpperBound(bucket);
        }
        return UpperBound(histogram.Keys.Max());
    }

    public static double UpperBound(int bucket) => Math.Round(Math.Pow(1.05, bucket), 1);
}
