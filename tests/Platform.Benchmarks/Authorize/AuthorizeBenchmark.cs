using System.Globalization;

namespace Platform.Benchmarks.Authorize;

/// <summary>
/// Authorizations against the running stack (AppHost) at each chosen concurrency, beside the ceiling the same
/// PostgreSQL sets for durable single-row writes at that concurrency, and their ratio; then capture-to-posted, the
/// outbox's latency. processor-sim is set to approve everything (with no latency, and with its default latency) and
/// reset to its defaults at the end.
/// Usage: <c>authorize [--api URL] [--simcontrol URL] [--concurrency 8,32] [--seconds N] [--postgres CS]
/// [--data-directory DIR] [--accounts N] [--captures N] [--processor zero|default|both] [--warm-up SECONDS]</c>.
/// </summary>
public static class AuthorizeBenchmark
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private const int ClosedWarmUpCallers = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        var api = new Uri(Text(args, "--api") ?? "http://localhost:5100");
        var simControl = new Uri(Text(args, "--simcontrol") ?? "http://localhost:5200");
        var concurrencies = (Text(args, "--concurrency") ?? "8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        var seconds = Option(args, "--seconds", 10);
        var accounts = Option(args, "--accounts", Math.Max(64, 2 * concurrencies.Max()));
        var captures = Option(args, "--captures", 200);
        var rates = Text(args, "--rates")?.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray() ?? [];
        var cardCount = Option(args, "--cards", rates.Length > 0 ? 10_000 : accounts);
        var openSeconds = Option(args, "--open-seconds", 60);
        var openWarmUp = TimeSpan.FromSeconds(Option(args, "--open-warm-up", 90));
        var closedWarmUp = TimeSpan.FromSeconds(Option(args, "--warm-up", 90));
        var overload = Text(args, "--overload") is { } o ? double.Parse(o, CultureInfo.InvariantCulture) : 2.0;
        ProcessorProfile[] profiles = (Text(args, "--processor") ?? "both") switch
        {
            "zero" => [ProcessorProfile.Zero],
            "default" => [ProcessorProfile.Default],
            _ => [ProcessorProfile.Zero, ProcessorProfile.Default],
        };
        var postgres = PlatformPostgres.Discover(Text(args, "--postgres"), Text(args, "--data-directory"));
        var duration = TimeSpan.FromSeconds(seconds);

        Console.WriteLine($"authorize: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        Console.WriteLine($"  api {api}, simcontrol {simControl}; concurrency {string.Join(", ", concurrencies)}; {seconds} s per measurement after {WarmUp.TotalSeconds:0} s warm-up");
        Console.WriteLine($"  postgres {postgres.Redacted}");
        Console.WriteLine($"    found from {postgres.Source}");

        using var stack = new BenchStack(api, simControl, concurrencies.Max());
        await stack.RequireHealthyAsync();
        await OperatorSignIn.SignInAsync(stack.Api, args);
        await using var ceiling = await InsertCeiling.CreateAsync(postgres.ConnectionString, concurrencies.Max());
        Console.WriteLine($"  {ceiling.Conditions}");
        try
        {
            await stack.ResetSimulatorsAsync();
            // Cards are activated by the processor's webhook: without its default 1 s delay set-up takes no time.
            await stack.SetProcessorAsync(ProcessorProfile.Zero);
            var setUp = System.Diagnostics.Stopwatch.StartNew();
            var cards = await stack.CardsAsync(postgres.ConnectionString, Math.Max(accounts, cardCount));
            Console.WriteLine($"  set-up: {cards.Count} accounts (limit 1,000,000.00 USD) with one active virtual card each, ready in {setUp.Elapsed.TotalSeconds:0.0} s");
            if (rates.Length > 0)
            {
                await OpenLoopAsync(stack, cards, rates, TimeSpan.FromSeconds(openSeconds), openWarmUp, overload, ceiling, postgres.ConnectionString);
                return 0;
            }
            Console.WriteLine($"  closed loop: amounts 1.00–50.00 USD, cards round-robin, after {closedWarmUp.TotalSeconds:0} s warm-up at {ClosedWarmUpCallers} callers");
            Console.WriteLine($"  processor-sim: approvalRate 1, no errors or timeouts; {string.Join("; ", profiles.Select(p => $"{p.Label} = {p.Describe()}"))}");
            // The open loop's reason: for a minute or more after start the JIT is still compiling the services' code to its
            // final tier (a profile of 16 callers 30-45 s after start found it at a fifth of all CPU), and the first
            // concurrency measured would pay for it.
            if (closedWarmUp > TimeSpan.Zero) await AuthorizeLoad.RunAsync(stack.Api, cards, ClosedWarmUpCallers, closedWarmUp);

            foreach (var concurrency in concurrencies)
            {
                Console.WriteLine();
                Console.WriteLine($"concurrency {concurrency}:");
                var throughputs = new List<(string Label, double Throughput)>();
                foreach (var profile in profiles)
                {
                    await stack.SetProcessorAsync(profile);
                    await AuthorizeLoad.RunAsync(stack.Api, cards, concurrency, WarmUp);
                    var cpuBefore = ProcessCpu.Read();
                    var run = await AuthorizeLoad.RunAsync(stack.Api, cards, concurrency, duration);
                    var cpuAfter = ProcessCpu.Read();
                    Console.WriteLine($"  {"authorize, " + profile.Label,-38}{Figures(run)}");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    served (decided, not 91) {run.ServedPerSecond:0}/s; answers: {run.OutcomeSummary}"));
                    Console.WriteLine($"    cpu: {ProcessCpu.PerRequest(cpuBefore, cpuAfter, run.Latencies.Count)}; load average {LoadAverage()}");
                    Console.WriteLine($"    jit: {ProcessCpu.JitPerRequest(cpuBefore, cpuAfter, run.Latencies.Count)}");
                    throughputs.Add((profile.Label, run.ServedPerSecond));
                }
                await ceiling.RunAsync(concurrency, WarmUp);
                var raw = await ceiling.RunAsync(concurrency, duration);
                Console.WriteLine($"  {"raw INSERT ceiling, 1 row per commit",-38}{Figures(raw)}");
                if (raw.Outcomes.ContainsKey("failed")) Console.WriteLine($"    {raw.OutcomeSummary}");
                Console.WriteLine($"  {"ratio served / ceiling",-38}" + string.Join(", ",
                    throughputs.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Throughput / raw.Throughput:0.000} ({t.Label})"))));
            }

            // The outbox's own latency: the processor answers at once and sends its webhook without delay.
            Console.WriteLine();
            await stack.SetProcessorAsync(ProcessorProfile.Zero);
            var capture = await CaptureToPosted.RunAsync(stack.Api, cards, captures);
            Console.WriteLine($"capture-to-posted ({ProcessorProfile.Zero.Describe()}; {captures} captures one at a time, polled every {CaptureToPosted.PollInterval.TotalMilliseconds:0} ms):");
            Console.WriteLine($"  POST capture → 202          {Percentiles(capture.Accepted)}");
            Console.WriteLine($"  202 → operation succeeded   {Percentiles(capture.Posted)}");
            foreach (var (problem, count) in capture.Problems) Console.WriteLine($"  {problem}: {count}");
        }
        finally
        {
            await stack.ResetSimulatorsAsync();
            Console.WriteLine("processor-sim reset to its defaults; bench schema dropped");
        }
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return 0;
    }

    /// <summary>
    /// Open loop at each rate with processor latency 0: offered vs completed, late and dropped starts, answers, latency
    /// from the scheduled time, CPU per authorization per process; then the overload run at a multiple of the best rate
    /// that met the goal (p99 ≤ 100 ms, ≤ 1 % declined 91), where what cannot be served must be refused at once; then
    /// 1 and 32 closed-loop callers beside the durable-insert ceiling. Each rate also reports how long its audit events
    /// waited to be sealed.
    /// </summary>
    /// <param name="warmUp">
    /// At a low rate before the first measured one: the services' code is still being compiled to its final tier after
    /// start-up, and that compiling would otherwise be counted as the first rate's CPU. Under a 250/s load the API's
    /// tiered-compilation thread took 23-29 % of a core 35-55 s after start and 0.3-0.5 % from 80 s on, so 90 s by
    /// default; the <c>jit:</c> line shows what is left of it in each measurement.
    /// </param>
    private static async Task OpenLoopAsync(BenchStack stack, IReadOnlyList<Guid> cards, int[] rates, TimeSpan duration, TimeSpan warmUp, double overload,
        InsertCeiling ceiling, string postgres)
    {
        await stack.SetProcessorAsync(ProcessorProfile.Zero);
        var spending = new Spending(seed: 2026);
        Console.WriteLine($"  open loop: {duration.TotalSeconds:0} s per rate after {warmUp.TotalSeconds:0} s warm-up, purchases spread like real spending over {cards.Count} cards; {ProcessorProfile.Zero.Describe()}");
        await OpenLoopLoad.RunAsync(stack.Api, cards, Math.Min(rates.Min(), 200), warmUp, spending);
        var best = 0;
        foreach (var rate in rates.Append(-1))
        {
            var target = rate > 0 ? rate : (int)(Math.Max(best, rates.Min()) * overload);
            Console.WriteLine();
            if (rate < 0) Console.WriteLine($"overload: {overload:0.#}x the best rate that met the goal ({best}/s)");
            var cpuBefore = ProcessCpu.Read();
            var from = DateTimeOffset.UtcNow;
            var run = await OpenLoopLoad.RunAsync(stack.Api, cards, target, duration, spending);
            var to = DateTimeOffset.UtcNow;
            var cpuAfter = ProcessCpu.Read();
            var declined91 = run.Share(o => o.StartsWith("declined 91", StringComparison.Ordinal));
            var p99 = run.Latencies.Count == 0 ? double.NaN : LatencyStats.From(run.Latencies).P99;
            if (rate > 0 && p99 <= 100 && declined91 <= 0.01) best = Math.Max(best, rate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rate {target,5}/s: offered {run.Offered}, completed {run.Completed} ({run.CompletedPerSecond:0}/s), late {run.Late}, dropped {run.Dropped}, declined 91 {declined91:P1}"));
            Console.WriteLine($"  latency from schedule: {Percentiles(run.Latencies)}");
            if (run.FastRefusals.Count > 0) Console.WriteLine($"  refusals (91 / 503):   {Percentiles(run.FastRefusals)}");
            Console.WriteLine($"  answers: {run.OutcomeSummary}");
            Console.WriteLine($"  cpu: {ProcessCpu.PerRequest(cpuBefore, cpuAfter, run.Completed)}");
            Console.WriteLine($"  jit: {ProcessCpu.JitPerRequest(cpuBefore, cpuAfter, run.Completed)}");
            Console.WriteLine($"  cpu total: {ProcessCpu.Total(cpuBefore, cpuAfter)}; load average {LoadAverage()}");
            Console.WriteLine($"  seal lag: {Describe(await SealLag.MeasureAsync(postgres, from, to))}");
        }
        Console.WriteLine();
        foreach (var concurrency in new[] { 1, 32 })
        {
            await AuthorizeLoad.RunAsync(stack.Api, cards, concurrency, WarmUp);
            var run = await AuthorizeLoad.RunAsync(stack.Api, cards, concurrency, TimeSpan.FromSeconds(15));
            await ceiling.RunAsync(concurrency, WarmUp);
            var raw = await ceiling.RunAsync(concurrency, TimeSpan.FromSeconds(10));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"closed loop, {concurrency} callers: {Figures(run)}; served {run.ServedPerSecond:0}/s; raw INSERT ceiling {raw.Throughput:0}/s; ratio served / ceiling {run.ServedPerSecond / raw.Throughput:0.000}"));
        }
    }

    private static string Describe(SealLag.Result lag)
    {
        var sealedPart = lag.Sealed is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"event recorded → its block sealed p50 {s.P50:0} ms, p99 {s.P99:0} ms, max {s.Max:0} ms ({s.Count} events)")
            : "no event of the run was sealed";
        return lag.Unsealed == 0 ? sealedPart + "; none left unsealed"
            : string.Create(CultureInfo.InvariantCulture, $"{sealedPart}; {lag.Unsealed} still unsealed, the oldest {lag.OldestUnsealedMs:0} ms old");
    }

    private static string Figures(LoadResult run) => run.Latencies.Count == 0 ? "no answers"
        : string.Create(CultureInfo.InvariantCulture, $"{run.Throughput,8:0} /s  {Percentiles(run.Latencies)}");

    private static string Percentiles(List<double> latencies)
    {
        if (latencies.Count == 0) return "none";
        var s = LatencyStats.From(latencies);
        return string.Create(CultureInfo.InvariantCulture,
            $"p50 {s.P50,7:0.00}  p95 {s.P95,7:0.00}  p99 {s.P99,7:0.00}  p99.9 {s.P999,7:0.00}  max {s.Max,8:0.00} ms  (n={s.Count})");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Option(string[] args, string name, int fallback)
    {
        var value = Text(args, name);
        return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
    }

    private static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
