using System.Globalization;

namespace Platform.Benchmarks;

/// <summary>
/// CPU time of the stack's processes from /proc/&lt;pid&gt;/stat (user + system, own and of exited children), read before and after a run: what each
/// part of the platform costs per request, on the same two cores. Postgres is the postmaster and all its backends.
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
        // This process, found by its id.
        ("benchmark", (_, _) => false),
    ];

    private readonly Dictionary<string, double> seconds;

    private ProcessCpu(Dictionary<string, double> seconds) => this.seconds = seconds;

    public static ProcessCpu Read()
    {
        var totals = Parts.ToDictionary(p => p.Name, _ => 0.0);
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // utime + stime, and cutime + cstime: a connection's backend that exits during a run hands its CPU
                // time to the postmaster that waits for it; without those its share vanished (negative figures).
                var cpu = fields[11..15].Sum(f => double.Parse(f, CultureInfo.InvariantCulture)) / 100.0;
                var cmd = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var part = pid == Environment.ProcessId ? "benchmark" : Parts.FirstOrDefault(p => p.Name != "benchmark" && p.Matches(comm, cmd)).Name;
                if (part is not null) totals[part] += cpu;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
            }
        }
        return new ProcessCpu(totals);
    }

    /// <summary>CPU milliseconds per request of each part between two readings.</summary>
    public static string PerRequest(ProcessCpu before, ProcessCpu after, long requests) => requests == 0 ? "no requests"
        : string.Join("  ", Parts.Select(p => p.Name).Select(name => string.Create(CultureInfo.InvariantCulture,
            $"{name} {(after.seconds[name] - before.seconds[name]) * 1000 / requests:0.00}")) ) + " cpu-ms per authorization";

    public static string Total(ProcessCpu before, ProcessCpu after) =>
        string.Join("  ", Parts.Select(p => p.Name).Select(name => string.Create(CultureInfo.InvariantCulture, $"{name} {after.seconds[name] - before.seconds[name]:0.0}"))) + " cpu-s";
}
