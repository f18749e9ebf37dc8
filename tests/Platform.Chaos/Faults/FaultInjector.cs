using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Platform.Chaos.Platform;
using Platform.Chaos.Workload;

namespace Platform.Chaos.Faults;

/// <summary>When a disruptive fault was on, from its first signal until every instance was healthy again.</summary>
public sealed record FaultWindow(FaultKind Kind, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Carries out the <see cref="FaultPlan"/> against the running platform, and is the workload's gate: an operation
/// whose index has reached a process fault waits until that fault has begun, so each fault lands at its place in the
/// operation sequence whatever the machine's speed. Process faults run one at a time, each only after the previous
/// one has healed; processor-sim phases change alongside them.
/// </summary>
internal sealed class FaultInjector : IOperationGate
{
    /// <summary>The hold expiry the run gives the API (its default is 7 days).</summary>
    public const int HoldExpiryMinutes = 120;

    /// <summary>Ten minutes past the hold expiry, so every hold taken before a move has expired after it.</summary>
    public static readonly TimeSpan ClockStep = TimeSpan.FromMinutes(HoldExpiryMinutes + 10);

    private readonly ChaosPlatform platform;
    private readonly ProcessorSim sim;
    private readonly ApiSession operatorSession;
    private readonly FaultPlan plan;
    private readonly ChaosOptions options;
    private readonly TextWriter log;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource[] faultReached, faultBegun, phaseReached;
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<FaultWindow> windows = new();
    private readonly ConcurrentDictionary<FaultKind, int> injected = new();
    private readonly ConcurrentQueue<string> skipped = new();
    private readonly DateTime? deadline;
    private long issued = -1;
    private long clockOffset;

    public FaultInjector(ChaosPlatform platform, ProcessorSim sim, ApiSession operatorSession, FaultPlan plan, ChaosOptions options, TextWriter log)
    {
        (this.platform, this.sim, this.operatorSession, this.plan, this.options, this.log) = (platform, sim, operatorSession, plan, options, log);
        TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
        faultReached = plan.ProcessFaults.Select(_ => New()).ToArray();
        faultBegun = plan.ProcessFaults.Select(_ => New()).ToArray();
        phaseReached = plan.Phases.Select(_ => New()).ToArray();
        deadline = options.Duration is { } d ? DateTime.UtcNow + d : null;
    }

    public IReadOnlyCollection<FaultWindow> Windows => windows;
    public IReadOnlyDictionary<FaultKind, int> Injected => injected;
    public IReadOnlyCollection<string> Skipped => skipped;
    public long ClockOffsetSeconds => Interlocked.Read(ref clockOffset);

    /// <summary>Operations actually issued (the duration cap may end the run early).</summary>
    public long Issued => Math.Min(Interlocked.Read(ref issued) + 1, options.Operations);

    public async Task<int?> NextAsync(CancellationToken cancellationToken)
    {
        if (finished.Task.IsCompleted || (deadline is { } end && DateTime.UtcNow > end)) return null;
        var index = (int)Interlocked.Increment(ref issued);
        if (index >= options.Operations) return null;
        for (var k = 0; k < plan.Phases.Count && plan.Phases[k].AtOperation <= index; k++) phaseReached[k].TrySetResult();
        var due = -1;
        for (var j = 0; j < plan.ProcessFaults.Count && plan.ProcessFaults[j].AtOperation <= index; j++)
        {
            faultReached[j].TrySetResult();
            due = j;
        }
        if (due >= 0) await faultBegun[due].Task.WaitAsync(cancellationToken);
        return index;
    }

    /// <summary>Called when the workload has stopped: faults not reached are skipped, and no operation waits any more.</summary>
    public void Finish()
    {
        finished.TrySetResult();
        foreach (var begun in faultBegun) begun.TrySetResult();
    }

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(RunProcessFaultsAsync(cancellationToken), RunPhasesAsync(cancellationToken));

    private async Task RunPhasesAsync(CancellationToken cancellationToken)
    {
        for (var k = 0; k < plan.Phases.Count; k++)
        {
            var phase = plan.Phases[k];
            if (await Task.WhenAny(phaseReached[k].Task, finished.Task) == finished.Task && !phaseReached[k].Task.IsCompleted)
            {
                skipped.Enqueue($"processor phase '{phase.Name}' at op {phase.AtOperation}");
                continue;
            }
            if (!await sim.PutSettingsAsync(phase.Settings, TimeSpan.FromSeconds(60), cancellationToken))
            {
                Log($"op {phase.AtOperation}: processor-sim phase '{phase.Name}' could not be applied (simcontrol unreachable for 60 s)");
                continue;
            }
            // The baseline turns every behaviour on mildly (counted once, when it first applies); a burst turns one up.
            var kinds = phase.Name == "baseline" ? (k == 0 ? phase.Kinds : []) : phase.Kinds.Where(k2 => phase.Name.StartsWith(k2.Name(), StringComparison.Ordinal));
            foreach (var kind in kinds) injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
            Log($"op {phase.AtOperation}: processor-sim {phase.Name}");
        }
    }

    private async Task RunProcessFaultsAsync(CancellationToken cancellationToken)
    {
        for (var j = 0; j < plan.ProcessFaults.Count; j++)
        {
            var fault = plan.ProcessFaults[j];
            if (await Task.WhenAny(faultReached[j].Task, finished.Task) == finished.Task && !faultReached[j].Task.IsCompleted)
            {
                skipped.Enqueue($"{fault.Kind.Name()} at op {fault.AtOperation}");
                continue;
            }
            var began = clock.Elapsed;
            var from = DateTimeOffset.UtcNow;
            string detail;
            try
            {
                detail = await InjectAsync(fault, faultBegun[j], cancellationToken);
                await platform.WaitAllHealthyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException)
            {
                detail = $"did not heal by itself ({ex.Message}); repaired";
                await platform.RepairAsync(cancellationToken);
                await platform.WaitAllHealthyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            }
            finally
            {
                faultBegun[j].TrySetResult();
            }
            if (fault.Kind != FaultKind.ClockPastHoldExpiry) windows.Enqueue(new FaultWindow(fault.Kind, from, DateTimeOffset.UtcNow));
            injected.AddOrUpdate(fault.Kind, 1, (_, n) => n + 1);
            Log($"op {fault.AtOperation}: {fault.Kind.Name()} {detail}, healthy again after {(clock.Elapsed - began).TotalSeconds:0.0} s");
        }
    }

    private async Task<string> InjectAsync(PlannedFault fault, TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        switch (fault.Kind)
        {
            case FaultKind.KillApi:
                return await KillAndStartAsync(platform.Instances("api")[fault.Target % platform.Instances("api").Count], fault.Hold, begun, cancellationToken);
            case FaultKind.KillSimControl:
                return await KillAndStartAsync(platform.Instances("simcontrol")[0], fault.Hold, begun, cancellationToken);
            case FaultKind.RestartPostgres:
                return await RestartPostgresAsync(fault.Hold, begun, cancellationToken);
            case FaultKind.RestartRedis:
                return await StopAndStartAsync(platform.Instances("redis")[0], fault.Hold, begun, cancellationToken);
            case FaultKind.PauseApi:
                return await PauseAsync(platform.Instances("api")[fault.Target % platform.Instances("api").Count], wholeTree: false, fault.Hold, begun, cancellationToken);
            case FaultKind.PauseSimControl:
                return await PauseAsync(platform.Instances("simcontrol")[0], wholeTree: false, fault.Hold, begun, cancellationToken);
            case FaultKind.PauseFraud:
                return await PauseAsync(platform.Instances("fraud")[0], wholeTree: false, fault.Hold, begun, cancellationToken);
            case FaultKind.PausePostgres:
                // The postmaster and every backend: pausing the postmaster alone leaves open connections answering.
                return await PauseAsync(platform.Instances("postgres")[0], wholeTree: true, fault.Hold, begun, cancellationToken);
            case FaultKind.PauseRedis:
                return await PauseAsync(platform.Instances("redis")[0], wholeTree: false, fault.Hold, begun, cancellationToken);
            case FaultKind.ClockPastHoldExpiry:
                return await MoveClockAsync(begun, cancellationToken);
            default:
                throw new InvalidOperationException($"{fault.Kind} is not a process fault.");
        }
    }

    /// <summary>SIGKILL of the service process (not the <c>dotnet run</c> above it), then the orchestrator's start command.</summary>
    private async Task<string> KillAndStartAsync(string instance, TimeSpan down, TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        var pid = ProcessSignals.Leaf(platform.Pid(instance) ?? throw new InvalidOperationException($"{instance} has no process."));
        platform.ExpectStop(instance);
        ProcessSignals.Send(pid, ProcessSignals.SigKill);
        begun.TrySetResult();
        await platform.WaitUntilAsync(() => platform.HasStopped(instance), TimeSpan.FromSeconds(30), $"{instance} seen stopped", cancellationToken);
        await Task.Delay(down, cancellationToken);
        if (!await platform.ExecuteAsync(instance, KnownResourceCommands.StartCommand, cancellationToken)) throw new InvalidOperationException($"{instance} did not start.");
        await platform.WaitUntilAsync(() => platform.IsHealthy(instance), TimeSpan.FromMinutes(2), $"{instance} healthy", cancellationToken);
        platform.Restarted(instance);
        return $"SIGKILL {instance} (pid {pid}), down {down.TotalSeconds:0.0} s, started";
    }

    /// <summary>A fast shutdown (SIGINT: the postmaster disconnects everyone and checkpoints), then the start command.</summary>
    private async Task<string> RestartPostgresAsync(TimeSpan down, TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        var instance = platform.Instances("postgres")[0];
        var pid = platform.Pid(instance) ?? throw new InvalidOperationException("postgres has no process.");
        platform.ExpectStop(instance);
        ProcessSignals.Send(pid, ProcessSignals.SigInt);
        begun.TrySetResult();
        await platform.WaitUntilAsync(() => platform.HasStopped(instance), TimeSpan.FromSeconds(60), "postgres stopped", cancellationToken);
        await Task.Delay(down, cancellationToken);
        if (!await platform.ExecuteAsync(instance, KnownResourceCommands.StartCommand, cancellationToken)) throw new InvalidOperationException("postgres did not start.");
        await platform.WaitUntilAsync(() => platform.IsHealthy(instance), TimeSpan.FromMinutes(2), "postgres healthy", cancellationToken);
        platform.Restarted(instance);
        return $"postgres stopped (fast shutdown of pid {pid}), down {down.TotalSeconds:0.0} s, started";
    }

    private async Task<string> StopAndStartAsync(string instance, TimeSpan down, TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        platform.ExpectStop(instance);
        var stopping = platform.ExecuteAsync(instance, KnownResourceCommands.StopCommand, cancellationToken);
        begun.TrySetResult();
        if (!await stopping) throw new InvalidOperationException($"{instance} did not stop.");
        await platform.WaitUntilAsync(() => platform.HasStopped(instance), TimeSpan.FromSeconds(30), $"{instance} stopped", cancellationToken);
        await Task.Delay(down, cancellationToken);
        if (!await platform.ExecuteAsync(instance, KnownResourceCommands.StartCommand, cancellationToken)) throw new InvalidOperationException($"{instance} did not start.");
        await platform.WaitUntilAsync(() => platform.IsHealthy(instance), TimeSpan.FromMinutes(2), $"{instance} healthy", cancellationToken);
        platform.Restarted(instance);
        return $"{instance} stopped, down {down.TotalSeconds:0.0} s, started";
    }

    private async Task<string> PauseAsync(string instance, bool wholeTree, TimeSpan hold, TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        var root = platform.Pid(instance) ?? throw new InvalidOperationException($"{instance} has no process.");
        IReadOnlyList<int> pids = wholeTree ? ProcessSignals.Tree(root) : [ProcessSignals.Leaf(root)];
        foreach (var pid in pids) ProcessSignals.Send(pid, ProcessSignals.SigStop);
        begun.TrySetResult();
        try
        {
            await Task.Delay(hold, cancellationToken);
        }
        finally
        {
            foreach (var pid in pids.Reverse()) ProcessSignals.Send(pid, ProcessSignals.SigCont);
        }
        return $"SIGSTOP {instance} ({pids.Count} process{(pids.Count == 1 ? "" : "es")}) for {hold.TotalSeconds:0.0} s, SIGCONT";
    }

    /// <summary>QA's test clock, moved forward for every replica: holds taken before the move are now past their expiry.</summary>
    private async Task<string> MoveClockAsync(TaskCompletionSource begun, CancellationToken cancellationToken)
    {
        var offset = Interlocked.Add(ref clockOffset, (long)ClockStep.TotalSeconds);
        var body = JsonSerializer.Serialize(new { offsetSeconds = offset });
        var deadline = DateTime.UtcNow.AddMinutes(1);
        Answer answer;
        while ((answer = await operatorSession.PutAsync("/v1/test-clock", body, cancellationToken)).Status != 200)
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"The test clock could not be moved: {answer}");
            await Task.Delay(500, cancellationToken);
        }
        begun.TrySetResult();
        return $"test clock now {TimeSpan.FromSeconds(offset).TotalHours:0.#} h ahead";
    }

    private void Log(string line)
    {
        lock (log) log.WriteLine($"[{clock.Elapsed.TotalSeconds,7:0.0}s {DateTimeOffset.UtcNow:HH:mm:ss.f}] {line}");
    }

    /// <summary>True when a 5xx at this moment falls within a disruptive fault (plus the seconds it takes clients to notice it is over).</summary>
    public bool DuringFault(DateTimeOffset at) => FaultAt(at) is not null;

    /// <summary>
    /// The disruptive fault a moment falls within, if any: the one that was on at that moment, else the latest one whose
    /// aftermath (10 s) it falls in.
    /// </summary>
    public FaultKind? FaultAt(DateTimeOffset at) =>
        (windows.FirstOrDefault(w => at >= w.From.AddSeconds(-1) && at <= w.To)
         ?? windows.Where(w => at >= w.From && at <= w.To.AddSeconds(10)).MaxBy(w => w.From))?.Kind;

    public static string Describe(IReadOnlyDictionary<FaultKind, int> injected) =>
        string.Join(", ", injected.OrderBy(i => i.Key).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Key.Name()} {i.Value}")));
}
