using System.Runtime.InteropServices;

namespace Platform.Chaos.Platform;

/// <summary>
/// Signals to the processes behind a resource, found from the pid the orchestrator reports and <c>/proc</c>. A project
/// runs as <c>dotnet run</c> with the service as its child, so the service is the deepest descendant; a PostgreSQL
/// server is its postmaster and every backend, which must all stop for the database to stop answering.
/// </summary>
internal static partial class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigInt = 2;
    public const int SigStop = 19;
    public const int SigCont = 18;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");

    /// <summary>The process itself and everything below it, parents first.</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var candidate) || ParentOf(candidate) is not { } parent) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(candidate);
        }
        var tree = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            tree.Add(next);
            foreach (var child in children.GetValueOrDefault(next) ?? []) queue.Enqueue(child);
        }
        return tree;
    }

    /// <summary>The deepest single-line descendant: the service process under <c>dotnet run</c>.</summary>
    public static int Leaf(int pid)
    {
        var tree = Tree(pid);
        var leaf = pid;
        foreach (var candidate in tree)
        {
            if (ParentOf(candidate) == leaf) leaf = candidate;
        }
        return leaf;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may contain spaces: the fields after it are fixed.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
