using System.Globalization;

namespace Platform.Benchmarks;

/// <summary>
/// CPU time of the stack's processes from /proc/&lt;pid&gt;/stat (user + system, own and of exited children), read before and after a run: what each
/// part of the platform costs per request, on the same two cores. Postgres is the postmaster and all its backends; dcp is
/// Aspire's orchestrator, which the AppHost starts beside the services and which relays their console output. Of the .NET
/// services' own time, the part their tiered-compilation threads took is read as well: a run that begins before the JIT has
/// settled pays for compiling, not for authorizing, and that shows there rather than as a mystery.
/// </summary>
internal sealed class ProcessCpu
{
    private static readonly (string Name, Func<string, string, bool> Matches)[] Parts =
    [
        ("api", (comm, cmd) => cmd.Contains("Platform.Api", StringComparison.Ordinal)),
        ("fraud", (comm, cmd) => cmd.Contains("Platform.Fraud", StringComparison.Ordinal)),
        ("simcontrol", (comm, cmd) => cmd.Contains("Platform.SimControl", StringComparison.Ordinal)),
        ("postgres", (comm, cmd) => comm == "postgres" || cmd.StartsWith("postgres:", StringComparison.Ordinal)),
        ("redis", (comm, cmd) => comm.StartsWith("redis-server", StringComparison.Ordinal)),
        ("dashboard", (comm, cmd) => cmd.Contains("Aspire.Dashboard", StringComparison.Ordinal)),
        ("dcp", (comm, _) => comm == "dcp"),
        // This process, found by its id.
        ("benchmark", (_, _) => false),
    ];

    /// <summary>The services whose JIT time is read; the dashboard's is its own business.</summary>
    private static readonly string[] Services = ["api", "fraud", "simcontrol"];

    /// <summary>How the runtime names its background tiered-compilation thread (the kernel keeps 15 characters).</summary>
    private const string TieredCompilationThread = ".NET Tiered Com";

    private readonly Dictionary<string, double> seconds;

    /// <summary>
    /// Per service, each tiered-compilation thread's time by thread id: the runtime ends that thread when it has been
    /// idle a while and starts another when there is compiling to do, so sums of two readings would go negative.
    /// </summary>
    private readonly Dictionary<string, Dictionary<string, double>> jitThreads;

    private ProcessCpu(Dictionary<string, double> seconds, Dictionary<string, Dictionary<string, double>> jitThreads)
    {
        this.seconds = seconds;
        this.jitThreads = jitThreads;
    }

    public static ProcessCpu Read()
    {
        var totals = Parts.ToDictionary(p => p.Name, _ => 0.0);
        var jit = Services.ToDictionary(s => s, _ => new Dictionary<string, double>());
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var (comm, fields) = Stat(Path.Combine(folder, "stat"));
                // utime + stime, and cutime + cstime: a connection's backend that exits during a run hands its CPU
                // time to the postmaster that waits for it; without those its share vanished (negative figures).
                var cpu = Seconds(fields[11..15]);
                var cmd = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var part = pid == Environment.ProcessId ? "benchmark" : Parts.FirstOrDefault(p => p.Name != "benchmark" && p.Matches(comm, cmd)).Name;
                if (part is null) continue;
                totals[part] += cpu;
                if (jit.TryGetValue(part, out var threads)) ReadTieredCompilationThreads(folder, threads);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
            }
        }
        return new ProcessCpu(totals, jit);
    }

    private static void ReadTieredCompilationThreads(string processFolder, Dictionary<string, double> threads)
    {
        foreach (var thread in Directory.EnumerateDirectories(Path.Combine(processFolder, "task")))
        {
            var (comm, fields) = Stat(Path.Combine(thread, "stat"));
            // A thread has no children: utime + stime.
            if (comm == TieredCompilationThread) threads[Path.GetFileName(processFolder) + "/" + Path.GetFileName(thread)] = Seconds(fields[11..13]);
        }
    }

    /// <summary>
    /// What the tiered-compilation threads of <paramref name="service"/> took between two readings: each thread alive at
    /// the second, less what it had at the first. A thread that ended in between is not counted, so this can read low.
    /// </summary>
    private static double JitSeconds(ProcessCpu before, ProcessCpu after, string service) =>
        after.jitThreads[service].Sum(t => t.Value - before.jitThreads[service].GetValueOrDefault(t.Key));

    /// <summary>A process's or thread's stat line: its name (which may hold spaces and parentheses) and the fields after it.</summary>
    private static (string Comm, string[] Fields) Stat(string path)
    {
        var stat = File.ReadAllText(path);
        return (stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')], stat[(stat.LastIndexOf(')') + 2)..].Split(' '));
    }

    /// <summary>Clock ticks (100 per second on Linux) as seconds.</summary>
    private static double Seconds(string[] ticks) => ticks.Sum(t => double.Parse(t, CultureInfo.InvariantCulture)) / 100.0;

    /// <summary>CPU milliseconds per request of each part between two readings.</summary>
    public static string PerRequest(ProcessCpu before, ProcessCpu after, long requests) => requests == 0 ? "no requests"
        : string.Join("  ", Parts.Select(p => p.Name).Select(name => string.Create(CultureInfo.InvariantCulture,
            $"{name} {(after.seconds[name] - before.seconds[name]) * 1000 / requests:0.00}")) ) + " cpu-ms per answer (fast 91s included)";

    /// <summary>Of <see cref="PerRequest"/>, what the services' tiered-compilation threads took.</summary>
    public static string JitPerRequest(ProcessCpu before, ProcessCpu after, long requests) => requests == 0 ? "no requests"
        : string.Join("  ", Services.Select(name => string.Create(CultureInfo.InvariantCulture,
            $"{name} {JitSeconds(before, after, name) * 1000 / requests:0.00}"))) + " cpu-ms per answer in the JIT (included above)";

    public static string Total(ProcessCpu before, ProcessCpu after) =>
        string.Join("  ", Parts.Select(p => p.Name).Select(name => string.Create(CultureInfo.InvariantCulture, $"{name} {after.seconds[name] - before.seconds[name]:0.0}"))) + " cpu-s";
}
