using System.Diagnostics;
using System.Globalization;
using Platform.Chaos.Faults;
using Platform.Chaos.Platform;
using Platform.Chaos.Verification;
using Platform.Chaos.Workload;

namespace Platform.Chaos;

/// <summary>What a run came to; <see cref="Violations"/> above zero fails it.</summary>
public sealed record ChaosResult(long Seed, long Operations, long Answered, int Violations, int Lost, int Duplicated, int Differences, string SummaryLine,
    IReadOnlyList<InvariantCount> Invariants, IReadOnlyDictionary<FaultKind, int> FaultsInjected);

/// <summary>
/// The chaos engine: starts the platform through its AppHost, onboards the customers, drives the seeded workload while
/// the faults land on schedule, heals, and runs the final read. Writes its progress and report to <c>output</c>.
/// </summary>
public static class ChaosRun
{
    public static async Task<ChaosResult> RunAsync(ChaosOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        output.WriteLine($"chaos: seed {options.Seed}, {options.Operations} operations, {options.Callers} callers, {options.Replicas} API replicas, " +
            $"faults: {(options.Faults.Count == 0 ? "none" : string.Join(", ", options.Faults.Order().Select(f => f.Name())))}; " +
            $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
        var plan = FaultPlan.Create(options);
        await using var platform = await ChaosPlatform.StartAsync(options, cancellationToken);
        output.WriteLine($"platform up in {total.Elapsed.TotalSeconds:0.0} s: api {platform.ApiAddress}, simcontrol {platform.SimControlAddress}");
        using var sim = new ProcessorSim(platform.SimControlAddress, platform.ProcessorApiKey);
        using var operatorSession = new ApiSession(platform.ApiAddress, Onboarding.OperatorEmail, platform.OperatorPassword, options.RequestTimeout);
        var startedAt = DateTimeOffset.UtcNow;
        var customers = await Onboarding.OnboardAsync(options, platform.ApiAddress, platform.EmailDirectory, operatorSession, cancellationToken);
        output.WriteLine($"{customers.Count} customers with {customers.Sum(c => c.Accounts.Count)} accounts and active cards after {total.Elapsed.TotalSeconds:0.0} s");

        var seen = new Observations();
        var faults = new FaultInjector(platform, sim, operatorSession, plan, options, output);
        var callers = customers.Select(c => (Customer: c, Caller: new Caller(c, options, seen, faults))).ToList();
        var workload = Stopwatch.StartNew();
        var injecting = faults.RunAsync(cancellationToken);
        await Task.WhenAll(callers.Select(c => c.Caller.RunAsync(cancellationToken)));
        faults.Finish();
        await injecting;
        var workloadTime = workload.Elapsed;
        output.WriteLine($"workload: {seen.Operations} operations in {workloadTime.TotalSeconds:0} s ({seen.Operations / Math.Max(1, workloadTime.TotalSeconds):0} ops/s), " +
            $"{seen.Answered} answered; load average {LoadAverage()}");

        var window = new Window(startedAt, () => faults.ClockOffsetSeconds);
        var heal = await new Heal(platform, sim, operatorSession, callers, window, options, output).RunAsync(cancellationToken);
        var report = await new FinalRead(platform, sim, operatorSession, customers, seen, faults, window, heal).RunAsync(cancellationToken);

        var errors = platform.ServiceErrors.Entries == 0 ? "services logged no errors"
            : $"services logged {platform.ServiceErrors.Entries} errors (faults provoke most): {platform.ServiceErrors.Path}";
        return Report(options, seen, faults, heal, report, sim, output, total.Elapsed, workloadTime, await StatsAsync(sim, cancellationToken), errors);
    }

    private static async Task<string> StatsAsync(ProcessorSim sim, CancellationToken cancellationToken)
    {
        try
        {
            var stats = await sim.StatsAsync(cancellationToken);
            return string.Join("; ", stats.GetProperty("operations").EnumerateArray().Where(op => op.GetProperty("simulator").GetString() == "processor").Select(op =>
                $"{op.GetProperty("operation").GetString()} {string.Join(" ", op.GetProperty("sinceReset").GetProperty("outcomes").EnumerateObject().Select(o => $"{o.Name}:{o.Value}"))}"));
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unavailable";
        }
    }

    private static ChaosResult Report(ChaosOptions options, Observations seen, FaultInjector faults, HealResult heal, FinalReport report, ProcessorSim sim,
        TextWriter output, TimeSpan total, TimeSpan workload, string simStats, string serviceErrors)
    {
        output.WriteLine();
        output.WriteLine("faults injected: " + (faults.Injected.Count == 0 ? "none" : FaultInjector.Describe(faults.Injected)));
        if (faults.Skipped.Count > 0) output.WriteLine("faults skipped (the run ended first): " + string.Join("; ", faults.Skipped));
        output.WriteLine($"5xx answers: {seen.ServerErrors.Count} ({report.ServerErrorsDuringFaults} during a fault: " +
            string.Join(", ", seen.ServerErrors.Select(e => faults.FaultAt(e.At)).OfType<FaultKind>().GroupBy(k => k).OrderByDescending(g => g.Count())
                .Select(g => $"{g.Key.Name()} {g.Count()}")) + ")");
        output.WriteLine("operations by kind: " + string.Join(", ", seen.OperationsByKind.OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value}")));
        output.WriteLine("answers by status: " + string.Join(", ", seen.AnswersByStatus.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {a.Value}")));
        output.WriteLine("authorization decisions: " + string.Join(", ", seen.Declines.OrderByDescending(d => d.Value).Select(d => $"{d.Key} {d.Value}")));
        output.WriteLine("processor-sim outcomes: " + simStats);
        if (!sim.OddAnswers.IsEmpty) output.WriteLine($"processor-sim settings changes failed and retried: {sim.OddAnswers.Count} ({string.Join(", ", sim.OddAnswers.Take(5))})");
        output.WriteLine($"unanswered during the run: {heal.Unanswered}, resolved by reading back: {heal.Unanswered - heal.Unresolved}, unresolved: {heal.Unresolved}");
        output.WriteLine($"heal: {heal.Elapsed.TotalSeconds:0} s, {heal.OperatorRetries} operator reversal retries; {heal.LastState}");
        foreach (var fact in report.Facts) output.WriteLine(fact);
        output.WriteLine("invariants (violations):");
        foreach (var invariant in report.Invariants) output.WriteLine($"  {invariant.Violations,6}  {invariant.Name}");
        foreach (var example in report.Examples) output.WriteLine("  ! " + example);
        output.WriteLine(serviceErrors);
        foreach (var error in seen.ServerErrors.Where(e => !faults.DuringFault(e.At)).Take(5))
            output.WriteLine($"  5xx outside a fault at {error.At:HH:mm:ss.fff}: {error.Request} {error.Status}");
        output.WriteLine($"run time {total.TotalSeconds:0} s (workload {workload.TotalSeconds:0} s), seed {options.Seed}, load average {LoadAverage()}");
        var faultCount = faults.Injected.Values.Sum();
        var line = string.Create(CultureInfo.InvariantCulture,
            $"chaos: {seen.Operations} ops, {seen.Answered} answered, faults {faultCount} ({faults.Injected.Count} kinds), lost {report.Lost}, duplicated {report.Duplicated}, " +
            $"differences {report.Differences}, invariant violations {report.Violations}");
        output.WriteLine(line);
        return new ChaosResult(options.Seed, seen.Operations, seen.Answered, report.Violations, report.Lost, report.Duplicated, report.Differences, line,
            report.Invariants, faults.Injected);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
