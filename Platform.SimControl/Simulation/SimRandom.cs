using System.Security.Cryptography;
using System.Text;

namespace Platform.SimControl.Simulation;

/// <summary>
/// The draws behind one simulated request. Seeded: a SplitMix64 stream from (seed, simulator, operation, request
/// number), so the n-th request gets the same outcome whichever instance serves it. Unseeded: the shared generator.
/// </summary>
internal sealed class SimRandom
{
    private ulong state;
    private readonly bool seeded;

    private SimRandom(ulong state, bool seeded)
    {
        this.state = state;
        this.seeded = seeded;
    }

    public static SimRandom Unseeded() => new(0, false);

    public static SimRandom Seeded(long seed, string simulator, string operation, long sequence) =>
        new(Hash($"{seed}|{simulator}|{operation}|{sequence}"), true);

    /// <summary>A stream seeded by arbitrary text (e.g. an SSN digest), for per-applicant determinism.</summary>
    public static SimRandom FromText(string text) => new(Hash(text), true);

    private static ulong Hash(string text) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);

    public double NextDouble()
    {
        if (!seeded) return Random.Shared.NextDouble();
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    public int NextInt(int minInclusive, int maxExclusive) =>
        minInclusive + (int)Math.Min(maxExclusive - minInclusive - 1, Math.Floor(NextDouble() * (maxExclusive - minInclusive)));

    /// <summary>Standard normal (Box–Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Picks a key with probability proportional to its weight; null when all weights are zero.</summary>
    public string? Weighted(IReadOnlyDictionary<string, double> weights)
    {
        var total = weights.Values.Where(w => w > 0).Sum();
        var x = NextDouble() * total;
        if (total <= 0) return null;
        foreach (var (key, weight) in weights.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (weight <= 0) continue;
            if (x < weight) return key;
            x -= weight;
        }
        return weights.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).Last().Key;
    }
}
