using System.Text.Json.Nodes;

namespace Platform.Chaos.Faults;

/// <summary>A process fault or clock move, injected when the run reaches operation <see cref="AtOperation"/>.</summary>
/// <param name="Target">Which replica (by index) for the API; unused otherwise.</param>
/// <param name="Hold">How long the process stays paused or down before it is resumed or started again.</param>
public sealed record PlannedFault(int AtOperation, FaultKind Kind, int Target, TimeSpan Hold);

/// <summary>processor-sim's behaviour from operation <see cref="AtOperation"/> on, until the next phase.</summary>
public sealed record ProcessorPhase(int AtOperation, string Name, IReadOnlySet<FaultKind> Kinds, JsonObject Settings);

/// <summary>
/// The whole fault schedule, made from the seed before the run starts: process faults in rounds (each enabled kind
/// once per round, in a seeded order, spread over 5–90 % of the operations) and processor-sim phases (a mild
/// baseline of every enabled behaviour, with a burst of each one per round).
/// </summary>
public sealed class FaultPlan
{
    public IReadOnlyList<PlannedFault> ProcessFaults { get; }
    public IReadOnlyList<ProcessorPhase> Phases { get; }

    private FaultPlan(IReadOnlyList<PlannedFault> processFaults, IReadOnlyList<ProcessorPhase> phases) => (ProcessFaults, Phases) = (processFaults, phases);

    public static FaultPlan Create(ChaosOptions options)
    {
        var random = SeededRandom.For(options.Seed, "fault-plan");
        var rounds = options.EffectiveFaultRounds;
        var ops = options.Operations;

        var processKinds = options.Faults.Where(k => !k.IsProcessorBehaviour()).Order().ToList();
        var faults = new List<PlannedFault>();
        var slots = rounds * processKinds.Count;
        var slot = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var kind in processKinds.OrderBy(_ => random.Next()).ToList())
            {
                var start = ops * (0.05 + 0.85 * slot / Math.Max(1, slots));
                var width = ops * 0.85 / Math.Max(1, slots);
                var at = (int)(start + random.NextDouble() * width * 0.5);
                var hold = kind switch
                {
                    FaultKind.KillApi or FaultKind.KillSimControl => TimeSpan.FromMilliseconds(random.Between(500, 2_500)),
                    FaultKind.RestartPostgres or FaultKind.RestartRedis => TimeSpan.FromMilliseconds(random.Between(500, 2_000)),
                    FaultKind.ClockPastHoldExpiry => TimeSpan.Zero,
                    _ => TimeSpan.FromMilliseconds(random.Between(1_500, 4_000)),
                };
                faults.Add(new PlannedFault(at, kind, random.Next(options.Replicas), hold));
                slot++;
            }
        }

        var behaviours = options.Faults.Where(k => k.IsProcessorBehaviour()).Order().ToList();
        var phases = new List<ProcessorPhase> { new(0, "baseline", behaviours.ToHashSet(), Settings(options.Seed, behaviours, burst: null)) };
        var bursts = new List<FaultKind>();
        for (var round = 0; round < rounds; round++) bursts.AddRange(behaviours.OrderBy(_ => random.Next()));
        for (var i = 0; i < bursts.Count; i++)
        {
            // Each burst has its own stretch of the run and returns to the baseline halfway through it.
            var stretch = ops * 0.9 / bursts.Count;
            var at = (int)(ops * 0.05 + i * stretch + random.NextDouble() * stretch * 0.2);
            phases.Add(new ProcessorPhase(at, bursts[i].Name() + " burst", behaviours.ToHashSet(), Settings(options.Seed, behaviours, bursts[i])));
            phases.Add(new ProcessorPhase((int)(at + stretch * 0.5), "baseline", behaviours.ToHashSet(), Settings(options.Seed, behaviours, burst: null)));
        }
        return new FaultPlan(faults.OrderBy(f => f.AtOperation).ToList(), phases.OrderBy(p => p.AtOperation).ToList());
    }

    /// <summary>The processor-sim settings for a phase. Healthy values where a behaviour is not enabled.</summary>
    private static JsonObject Settings(long seed, IReadOnlyCollection<FaultKind> enabled, FaultKind? burst)
    {
        double Rate(FaultKind kind, double mild, double strong) => !enabled.Contains(kind) ? 0 : burst == kind ? strong : mild;
        var latencyBurst = burst == FaultKind.ProcessorLatency;
        var latency = enabled.Contains(FaultKind.ProcessorLatency)
            ? latencyBurst ? (Min: 20, Median: 250, P99: 2_000) : (Min: 2, Median: 15, P99: 400)
            : (Min: 0, Median: 2, P99: 10);
        var completion = 1 - Rate(FaultKind.RefusedCompletions, 0.1, 0.5);
        JsonObject Completion() => new() { ["approvalRate"] = completion };
        return new JsonObject
        {
            ["approvalRate"] = 0.93,
            ["partialApprovalRate"] = 0.05,
            ["errorRate"] = Rate(FaultKind.ProcessorErrors, 0.03, 0.3),
            ["errorStatusCode"] = 503,
            ["timeoutRate"] = Rate(FaultKind.ProcessorTimeouts, 0.03, 0.25),
            ["latencyMs"] = new JsonObject { ["min"] = latency.Min, ["median"] = latency.Median, ["p99"] = latency.P99 },
            ["webhookDelayMs"] = 200,
            ["webhookFailureRate"] = Rate(FaultKind.WebhookFailures, 0.15, 0.6),
            ["webhookDuplicateRate"] = Rate(FaultKind.WebhookDuplicates, 0.1, 0.5),
            ["webhookReorderRate"] = Rate(FaultKind.WebhookReorders, 0.1, 0.5),
            ["webhookReorderDelayMs"] = 1_500,
            ["failFirstCalls"] = 0,
            ["seed"] = seed,
            ["operations"] = new JsonObject
            {
                ["capture"] = Completion(),
                ["refund"] = Completion(),
                ["void"] = Completion(),
                // Physical cards fail delivery now and then; card issue itself is not a money path.
                ["issueCard"] = new JsonObject { ["approvalRate"] = 0.9 },
            },
        };
    }

    /// <summary>What the platform is healed to before the final read: everything answers, nothing is dropped.</summary>
    public static JsonObject Healthy() => new()
    {
        ["errorRate"] = 0.0, ["timeoutRate"] = 0.0, ["latencyMs"] = new JsonObject { ["min"] = 0, ["median"] = 2, ["p99"] = 10 },
        ["webhookDelayMs"] = 100, ["webhookFailureRate"] = 0.0, ["webhookDuplicateRate"] = 0.0, ["webhookReorderRate"] = 0.0, ["failFirstCalls"] = 0,
        ["operations"] = new JsonObject(),
    };
}
