using System.Globalization;

namespace Platform.Chaos;

/// <summary>What a chaos run does; every choice it makes at random comes from <see cref="Seed"/>.</summary>
public sealed record ChaosOptions
{
    public long Seed { get; init; } = Random.Shared.NextInt64(1, 1_000_000_000);
    public int Operations { get; init; } = 10_000;
    public int Callers { get; init; } = 8;
    public int Replicas { get; init; } = 2;

    /// <summary>Stop issuing operations after this long (the heal and final read still run); null for no cap.</summary>
    public TimeSpan? Duration { get; init; }

    public int AccountsPerCaller { get; init; } = 3;

    /// <summary>The API's authorization budget for this run: chaos checks correctness, the benchmark measures the 95 ms budget.</summary>
    public int BudgetMs { get; init; } = 500;

    /// <summary>The API's in-flight authorization limit per replica; null keeps the API's default. Small values shed load.</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>Fault kinds to inject (all by default); an empty set runs the workload on a quiet platform.</summary>
    public IReadOnlySet<FaultKind> Faults { get; init; } = Enum.GetValues<FaultKind>().ToHashSet();

    /// <summary>Process faults are injected in rounds of every kind; by default one round per 8,000 operations.</summary>
    public int? FaultRounds { get; init; }

    /// <summary>How long the heal may take to bring everything in flight to rest.</summary>
    public TimeSpan QuiesceTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public bool Dashboard { get; init; }

    /// <summary>Per-request client timeout; an answer later than this counts as never received.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public int EffectiveFaultRounds => FaultRounds ?? Math.Max(1, Operations / 8_000);

    public const string Usage = """
        usage: dotnet run -c Release --project tests/Platform.Chaos -- [options]
          --seed N              the run's seed (printed; the same seed gives the same operation mix and fault schedule)
          --operations N        operations to issue (default 10000)
          --callers N           concurrent customers (default 8)
          --replicas N          API replicas, at least 2 (default 2)
          --duration 10m        stop issuing operations after this long (s, m or h; default: no cap)
          --accounts N          accounts per customer (default 3)
          --budget-ms N         the API's authorization budget for the run (default 500)
          --max-in-flight N     the API's in-flight authorization limit per replica (default: the API's own, 8);
                                a small one makes replicas decline 91 platform_busy, which must hold every invariant
          --faults a,b|none     fault kinds to inject (default all): {0}
          --fault-rounds N      rounds of process faults (default: one per 8000 operations)
          --quiesce-timeout 3m  how long the heal may take
          --request-timeout 20s client timeout per request
          --dashboard           start the Aspire dashboard too (costs CPU)
        """;

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--seed" => options with { Seed = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--operations" => options with { Operations = Positive(Value(), "--operations") },
                "--callers" => options with { Callers = Positive(Value(), "--callers") },
                "--replicas" => options with { Replicas = int.Parse(Value(), CultureInfo.InvariantCulture) is var r and >= 2 ? r : throw new ArgumentException("--replicas must be 2 or more.") },
                "--duration" => options with { Duration = ParseDuration(Value()) },
                "--accounts" => options with { AccountsPerCaller = Positive(Value(), "--accounts") },
                "--budget-ms" => options with { BudgetMs = Positive(Value(), "--budget-ms") },
                "--max-in-flight" => options with { MaxInFlight = Positive(Value(), "--max-in-flight") },
                "--faults" => options with { Faults = ParseFaults(Value()) },
                "--fault-rounds" => options with { FaultRounds = Positive(Value(), "--fault-rounds") },
                "--quiesce-timeout" => options with { QuiesceTimeout = ParseDuration(Value()) },
                "--request-timeout" => options with { RequestTimeout = ParseDuration(Value()) },
                "--dashboard" => options with { Dashboard = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return options;
    }

    public static string UsageText => string.Format(CultureInfo.InvariantCulture, Usage, string.Join(", ", FaultKinds.Names));

    private static int Positive(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number.");

    public static TimeSpan ParseDuration(string value)
    {
        var unit = value[^1];
        var number = double.Parse(char.IsAsciiLetter(unit) ? value[..^1] : value, CultureInfo.InvariantCulture);
        return unit switch
        {
            'h' => TimeSpan.FromHours(number),
            'm' => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromSeconds(number),
        };
    }

    private static IReadOnlySet<FaultKind> ParseFaults(string value) =>
        value == "none" ? new HashSet<FaultKind>()
        : value == "all" ? Enum.GetValues<FaultKind>().ToHashSet()
        : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => FaultKinds.TryParse(name, out var kind) ? kind : throw new ArgumentException($"Unknown fault kind '{name}'. Known: {string.Join(", ", FaultKinds.Names)}."))
            .ToHashSet();
}
