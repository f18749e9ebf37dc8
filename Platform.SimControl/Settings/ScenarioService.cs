using StackExchange.Redis;

namespace Platform.SimControl.Settings;

/// <summary>The named presets: each rewrites the relevant simulator's current settings.</summary>
internal static class ScenarioCatalog
{
    internal sealed record Definition(ScenarioDescriptor Descriptor, Action<ProcessorSettings>? Processor, Action<BureauSettings>? Bureau);

    public static readonly IReadOnlyList<Definition> All =
    [
        new(new("all-good", "All good", "Both simulators answer fast and well: every authorization approved, no errors, no timeouts, webhooks delivered first time.", null),
            p =>
            {
                var d = new ProcessorSettings();
                p.ApprovalRate = 1; p.PartialApprovalRate = 0; p.ErrorRate = 0; p.TimeoutRate = 0; p.FailFirstCalls = 0;
                p.WebhookFailureRate = 0; p.WebhookDuplicateRate = 0; p.WebhookReorderRate = 0; p.LatencyMs = d.LatencyMs; p.WebhookDelayMs = d.WebhookDelayMs; p.Operations = [];
            },
            b =>
            {
                var d = new BureauSettings();
                b.ErrorRate = 0; b.TimeoutRate = 0; b.LatencyMs = d.LatencyMs;
                b.DefaultScoreMean = d.DefaultScoreMean; b.DefaultScoreStdDev = d.DefaultScoreStdDev;
            }),
        new(new("processor-outage", "Processor outage", "Every processor call fails with HTTP 503.", null),
            p => { p.ErrorRate = 1; p.TimeoutRate = 0; p.ErrorStatusCode = 503; p.Operations = []; }, null),
        new(new("processor-outage-60s", "Processor outage for 60 s", "Every processor call fails with HTTP 503 for 60 seconds, then the previous settings return.", 60),
            p => { p.ErrorRate = 1; p.TimeoutRate = 0; p.ErrorStatusCode = 503; p.Operations = []; }, null),
        new(new("processor-timeouts", "Processor hangs", "Every processor call hangs until the caller gives up.", null),
            p => { p.ErrorRate = 0; p.TimeoutRate = 1; p.Operations = []; }, null),
        new(new("slow-processor", "Slow processor", "Processor latency min 800 ms, median 1.5 s, p99 4 s.", null),
            p => { p.LatencyMs = new() { Min = 800, Median = 1500, P99 = 4000 }; p.Operations = []; }, null),
        new(new("flaky-30", "Flaky processor (30 %)", "30 % of processor calls fail with HTTP 503.", null),
            p => { p.ErrorRate = 0.3; p.TimeoutRate = 0; p.ErrorStatusCode = 503; p.Operations = []; }, null),
        new(new("first-5-fail-then-recover", "First 5 calls fail, then recover", "The next 5 processor calls (across all instances) fail with HTTP 503; later calls behave normally.", null),
            p => { p.ErrorRate = 0; p.TimeoutRate = 0; p.FailFirstCalls = 5; p.ErrorStatusCode = 503; }, null),
        new(new("bureau-down", "Bureau down", "Every credit report request fails with HTTP 503.", null),
            null, b => { b.ErrorRate = 1; b.TimeoutRate = 0; b.ErrorStatusCode = 503; }),
        new(new("bureau-slow", "Bureau slow", "Bureau latency min 1.5 s, median 3 s, p99 8 s.", null),
            null, b => b.LatencyMs = new() { Min = 1500, Median = 3000, P99 = 8000 }),
        new(new("low-score-population", "Low-score population", "Unknown applicants score around 560 (std dev 50).", null),
            null, b => { b.DefaultScoreMean = 560; b.DefaultScoreStdDev = 50; }),
    ];

    public static Definition? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Descriptor.Name, name, StringComparison.OrdinalIgnoreCase));
}

internal sealed class ScenarioService(RedisSimulatorSettingsStore store, IConnectionMultiplexer redis, TimeProvider time, Journal.ScenarioInForce inForce) : IScenarioService
{
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    public IReadOnlyList<ScenarioDescriptor> List() => ScenarioCatalog.All.Select(d => d.Descriptor).ToList();

    public async Task<ScenarioApplyResult> ApplyAsync(string name, TimeSpan? duration, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        var definition = ScenarioCatalog.Find(name);
        if (definition is null) return new(false, null, new Dictionary<string, string[]>());
        duration ??= definition.Descriptor.DefaultDurationSeconds is { } s ? TimeSpan.FromSeconds(s) : null;
        if (duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration))
            return new(true, null, new Dictionary<string, string[]> { ["durationSeconds"] = ["Must be between 1 and 86400."] });

        // A timed scenario applied over another restores what was there before the first one.
        var running = await GetActiveAsync(cancellationToken);
        var now = time.GetUtcNow();
        var active = new ActiveScenario { Name = definition.Descriptor.Name, AppliedAt = now, EndsAt = now + duration, AppliedBy = actor.Id };
        if (definition.Processor is not null)
        {
            var current = await store.GetProcessorSettingsAsync(cancellationToken);
            active.PreviousProcessor = running?.PreviousProcessor ?? current.Clone();
            definition.Processor(current);
            var result = await store.UpdateProcessorSettingsAsync(current, actor, cancellationToken);
            if (!result.Succeeded) return new(true, null, result.Errors);
        }
        if (definition.Bureau is not null)
        {
            var current = await store.GetBureauSettingsAsync(cancellationToken);
            active.PreviousBureau = running?.PreviousBureau ?? current.Clone();
            definition.Bureau(current);
            var result = await store.UpdateBureauSettingsAsync(current, actor, cancellationToken);
            if (!result.Succeeded) return new(true, null, result.Errors);
        }
        if (active.EndsAt is not null)
        {
            active.PreviousProcessor ??= running?.PreviousProcessor;
            active.PreviousBureau ??= running?.PreviousBureau;
            await redis.GetDatabase().StringSetAsync(SimRedisKeys.ActiveScenario, SettingsJson.Serialize(active));
        }
        else
        {
            await redis.GetDatabase().KeyDeleteAsync(SimRedisKeys.ActiveScenario);
        }
        await store.RecordAsync(SettingsChangeKinds.Scenario, active.Name, actor,
            duration is { } t ? $"scenario {active.Name} applied for {t.TotalSeconds:0} s" : $"scenario {active.Name} applied", null);
        // After the history entry, which moves the settings version on too.
        await inForce.MarkAppliedAsync(active.Name);
        return new(true, active, new Dictionary<string, string[]>());
    }

    public async Task<ActiveScenario?> GetActiveAsync(CancellationToken cancellationToken = default) =>
        SettingsJson.Deserialize<ActiveScenario>(await redis.GetDatabase().StringGetAsync(SimRedisKeys.ActiveScenario));

    public Task<bool> EndActiveAsync(SettingsActor actor, CancellationToken cancellationToken = default) => EndAsync(actor, onlyIfDue: false, cancellationToken);

    /// <summary>
    /// Ends the running timed scenario. Every instance may try; the conditional delete lets exactly one of them
    /// restore the previous settings.
    /// </summary>
    internal async Task<bool> EndAsync(SettingsActor actor, bool onlyIfDue, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var json = await db.StringGetAsync(SimRedisKeys.ActiveScenario);
        var active = SettingsJson.Deserialize<ActiveScenario>(json);
        if (active is null) return false;
        if (onlyIfDue && (active.EndsAt is null || active.EndsAt > time.GetUtcNow())) return false;

        var tx = db.CreateTransaction();
        tx.AddCondition(Condition.StringEqual(SimRedisKeys.ActiveScenario, json));
        _ = tx.KeyDeleteAsync(SimRedisKeys.ActiveScenario);
        if (!await tx.ExecuteAsync()) return false;

        if (active.PreviousProcessor is { } p) await store.UpdateProcessorSettingsAsync(p, actor, cancellationToken);
        if (active.PreviousBureau is { } b) await store.UpdateBureauSettingsAsync(b, actor, cancellationToken);
        await store.RecordAsync(SettingsChangeKinds.Scenario, active.Name, actor, $"scenario {active.Name} ended; previous settings restored", null);
        return true;
    }
}

/// <summary>Watches for a timed scenario whose time is up, on every instance.</summary>
internal sealed class ScenarioTimer(ScenarioService scenarios, ILogger<ScenarioTimer> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Timed scenario check");
        return loop.RunAsync(token => BackgroundTelemetry.UntracedAsync(() => scenarios.EndAsync(SettingsActor.System, onlyIfDue: true, token)),
            loop.Every(TimeSpan.FromMilliseconds(250)), stoppingToken);
    }
}
