namespace Platform.SimControl.Stats;

public static class Simulators
{
    public const string Processor = "processor";
    public const string Bureau = "bureau";
}

/// <summary>Latency percentiles in milliseconds (upper bounds of ~5 % wide buckets).</summary>
public sealed record LatencyPercentiles(double P50, double P90, double P99, double Max);

/// <summary>One window of one operation's traffic.</summary>
public sealed record StatsWindow(long Requests, double RequestsPerSecond, IReadOnlyDictionary<string, long> Outcomes, LatencyPercentiles LatencyMs);

public sealed record OperationStats(string Simulator, string Operation, StatsWindow LastMinute, StatsWindow SinceReset);

public sealed record SimulatorStatsSnapshot(DateTimeOffset At, DateTimeOffset? ResetAt, IReadOnlyList<OperationStats> Operations);

/// <summary>
/// Traffic statistics across all instances (kept in Redis). Outcomes are response codes for authorize
/// (<c>00</c>, <c>51</c>, …), HTTP statuses otherwise, and <c>timeout</c>.
/// </summary>
public interface ISimulatorStatsService
{
    /// <summary>Fire-and-forget: never slows the request it describes.</summary>
    void Record(string simulator, string operation, string outcome, double latencyMs);

    Task<SimulatorStatsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default);
}
