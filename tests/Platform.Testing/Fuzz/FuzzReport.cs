using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace Platform.Testing.Fuzz;

/// <summary>The seed of a fuzz run: FUZZ_SEED when set (to replay a failure), otherwise a new one, always printed.</summary>
public static class FuzzSeed
{
    public static int Next() =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : Random.Shared.Next();
}

public static class FuzzReport
{
    public static void Write(ITestOutputHelper output, string service, int seed, OpenApiFuzzer fuzzer, IReadOnlyList<FuzzAnswer> answers)
    {
        output.WriteLine($"fuzz {service}: seed {seed}, {answers.Count} requests over {fuzzer.Operations.Count - fuzzer.NotFuzzable.Count} of {fuzzer.Operations.Count} operations");
        output.WriteLine($"fuzz {service}: answers {OpenApiFuzzer.Summary(answers)}");
        if (fuzzer.NotFuzzable.Count > 0) output.WriteLine($"fuzz {service}: nothing to malform in {string.Join(", ", fuzzer.NotFuzzable)}");
    }

    public static void AssertRefusedAndUnchanged(int seed, IReadOnlyList<FuzzAnswer> answers, IReadOnlyList<string> changedTables)
    {
        var failures = answers.Select(a => (Answer: a, Problem: a.Problem())).Where(f => f.Problem is not null).ToList();
        Assert.True(failures.Count == 0, $"seed {seed} (replay with FUZZ_SEED={seed}): {failures.Count} of {answers.Count} answers were not a 4xx problem:" + Environment.NewLine +
            string.Join(Environment.NewLine, failures.Take(25).Select(f => $"  {f.Answer.Case} → {f.Problem}: {Shorten(f.Answer.Body)}")));
        Assert.True(changedTables.Count == 0, $"seed {seed}: malformed requests changed {string.Join(", ", changedTables)}");
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
