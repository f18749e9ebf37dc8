namespace Platform.Chaos;

public enum FaultKind
{
    // processor-sim behaviour, changed through its control API
    ProcessorErrors,
    ProcessorTimeouts,
    ProcessorLatency,
    RefusedCompletions,
    WebhookFailures,
    WebhookDuplicates,
    WebhookReorders,

    // processes and time
    KillApi,
    KillSimControl,
    RestartPostgres,
    RestartRedis,
    PauseApi,
    PauseSimControl,
    PausePostgres,
    PauseRedis,
    PauseFraud,
    ClockPastHoldExpiry,
}

public static class FaultKinds
{
    private static readonly Dictionary<FaultKind, string> ByKind = new()
    {
        [FaultKind.ProcessorErrors] = "processor-errors",
        [FaultKind.ProcessorTimeouts] = "processor-timeouts",
        [FaultKind.ProcessorLatency] = "processor-latency",
        [FaultKind.RefusedCompletions] = "refused-completions",
        [FaultKind.WebhookFailures] = "webhook-failures",
        [FaultKind.WebhookDuplicates] = "webhook-duplicates",
        [FaultKind.WebhookReorders] = "webhook-reorders",
        [FaultKind.KillApi] = "kill-api",
        [FaultKind.KillSimControl] = "kill-simcontrol",
        [FaultKind.RestartPostgres] = "restart-postgres",
        [FaultKind.RestartRedis] = "restart-redis",
        [FaultKind.PauseApi] = "pause-api",
        [FaultKind.PauseSimControl] = "pause-simcontrol",
        [FaultKind.PausePostgres] = "pause-postgres",
        [FaultKind.PauseRedis] = "pause-redis",
        [FaultKind.PauseFraud] = "pause-fraud",
        [FaultKind.ClockPastHoldExpiry] = "clock-past-hold-expiry",
    };

    public static IEnumerable<string> Names => ByKind.Values;

    public static string Name(this FaultKind kind) => ByKind[kind];

    public static bool TryParse(string name, out FaultKind kind)
    {
        foreach (var (k, n) in ByKind)
        {
            if (n == name) { kind = k; return true; }
        }
        kind = default;
        return false;
    }

    /// <summary>Behaviour of processor-sim: changed by a settings call, active for a stretch of operations.</summary>
    public static bool IsProcessorBehaviour(this FaultKind kind) => kind <= FaultKind.WebhookReorders;
}
