using System.Runtime.InteropServices;

namespace Platform.SimControl.Stats;

/// <summary>
/// Statistics counted in memory between flushes to Redis: a simulated request adds to a few counters under a short
/// lock, and the flush sends one increment per counter touched instead of eight Redis commands per request.
/// </summary>
internal sealed class StatsAccumulator
{
    private readonly Lock gate = new();
    private Pending pending = new();

    internal sealed class Pending
    {
        public Dictionary<(string Key, string Field), long> Counts { get; } = [];
        public HashSet<string> Operations { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Totals { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Windows { get; } = new(StringComparer.Ordinal);
        public bool IsEmpty => Counts.Count == 0;
    }

    public void Add(string operationMember, string total, string window, string outcomeField, string latencyField)
    {
        lock (gate)
        {
            var p = pending;
            p.Operations.Add(operationMember);
            p.Totals.Add(total);
            p.Windows.Add(window);
            foreach (var key in (ReadOnlySpan<string>)[total, window])
            {
                Increment(p, key, "requests");
                Increment(p, key, outcomeField);
                Increment(p, key, latencyField);
            }
        }
    }

    // One hash lookup per counter: every simulated request goes through here six times.
    private static void Increment(Pending p, string key, string field) =>
        CollectionsMarshal.GetValueRefOrAddDefault(p.Counts, (key, field), out _)++;

    /// <summary>Takes what has been counted since the last drain.</summary>
    public Pending Drain()
    {
        lock (gate)
        {
            var drained = pending;
            pending = new();
            return drained;
        }
    }
}
