using StackExchange.Redis;

namespace Platform.SimControl.Settings;

/// <summary>Every Redis key and channel simcontrol uses, so instances (and a reader with redis-cli) agree on one layout.</summary>
public static class SimRedisKeys
{
    private const string Prefix = "sim:";

    public static readonly RedisKey ProcessorSettings = Prefix + "settings:processor";
    public static readonly RedisKey BureauSettings = Prefix + "settings:bureau";
    /// <summary>Hash: applicant id → <see cref="ApplicantOverride"/> JSON.</summary>
    public static readonly RedisKey ApplicantOverrides = Prefix + "bureau:applicants";
    /// <summary>Bumped on every change of anything above; instances compare it with their snapshot's when told of a change, and every second.</summary>
    public static readonly RedisKey SettingsVersion = Prefix + "settings:version";
    public static readonly RedisKey History = Prefix + "history";
    public static readonly RedisKey AuditOutbox = Prefix + "audit:outbox";
    public static readonly RedisKey AuditForwarderLock = Prefix + "audit:lock";
    public static readonly RedisKey ActiveScenario = Prefix + "scenario:active";
    public static readonly RedisKey ScenarioRevertLock = Prefix + "scenario:revert-lock";
    public static readonly RedisKey StatsResetAt = Prefix + "stats:reset-at";

    public static readonly RedisChannel Changes = RedisChannel.Literal(Prefix + "changes");
    /// <summary>Each instance's "my snapshot is now at version N", which a writer waits for before answering.</summary>
    public static readonly RedisChannel ChangesApplied = RedisChannel.Literal(Prefix + "changes:applied");

    public static RedisKey FailFirstCounter(long version) => $"{Prefix}processor:fail-first:{version}";
    public static RedisKey SeedSequence(string simulator, string operation, long version) => $"{Prefix}seq:{simulator}:{operation}:{version}";
    public static RedisKey Inquiries(string applicantId) => $"{Prefix}bureau:inquiries:{applicantId}";
    public static RedisKey InquiryIndex => Prefix + "bureau:inquiry-index";
    public static RedisKey StatsTotal(string simulator, string operation, long epoch) => $"{Prefix}stats:{epoch}:total:{simulator}:{operation}";
    public static RedisKey StatsBucket(string simulator, string operation, long bucket) => $"{Prefix}stats:bucket:{simulator}:{operation}:{bucket}";
    public static readonly RedisKey StatsOperations = Prefix + "stats:operations";
    public static readonly RedisKey StatsEpoch = Prefix + "stats:epoch";

    /// <summary>Hash per series and second (offered, answered, o:OUTCOME, l:BUCKET) for the live charts; expires.</summary>
    public static RedisKey SecondSeries(string series, long unixSecond) => $"{Prefix}ts:{series}:{unixSecond}";
    /// <summary>Set of the series names ("processor:authorize", "api:authorize", …) that have per-second hashes.</summary>
    public static readonly RedisKey SecondSeriesIndex = Prefix + "ts:series";
    /// <summary>List of request-journal entries (JSON), newest first, trimmed to the retention.</summary>
    public static readonly RedisKey Journal = Prefix + "journal";
    /// <summary>The scenario last applied and the settings version it produced (journal: "scenario in force").</summary>
    public static readonly RedisKey ScenarioInForce = Prefix + "scenario:in-force";
    /// <summary>The traffic run: its state as the running instance last wrote it.</summary>
    public static readonly RedisKey TrafficRun = Prefix + "traffic:run";
    /// <summary>Held (and renewed) by the instance running traffic, so only one run exists across instances.</summary>
    public static readonly RedisKey TrafficLock = Prefix + "traffic:lock";
    /// <summary>Set by a stop request on any instance; the running instance ends its run when it sees it.</summary>
    public static RedisKey TrafficStop(string runId) => $"{Prefix}traffic:stop:{runId}";
    /// <summary>Hash card id → account id of the test cards the traffic generator opened, reused by later runs.</summary>
    public static readonly RedisKey TrafficCards = Prefix + "traffic:cards";
    public static readonly RedisKey DataProtectionKeys = Prefix + "data-protection:keys";
}
