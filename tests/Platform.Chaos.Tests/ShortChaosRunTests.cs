using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Platform.Chaos.Tests;

/// <summary>
/// CI's chaos run: the real platform through its AppHost, 1,000 seeded operations with every fault kind landing on
/// schedule, then the heal and the final read. The seed is random unless CHAOS_SEED sets it, and is the first line of
/// the test's output, so a failing run can be repeated exactly.
/// </summary>
public sealed class ShortChaosRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_operations_under_every_fault_kind_lose_nothing_and_break_no_invariant()
    {
        var options = new ChaosOptions
        {
            Seed = long.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
                ? seed : Random.Shared.NextInt64(1, 1_000_000_000),
            Operations = 1_000,
            Callers = 8,
            Replicas = 2,
            // A guard for a machine far busier than usual; a capped run that skipped a fault fails below.
            Duration = TimeSpan.FromMinutes(2),
            QuiesceTimeout = TimeSpan.FromMinutes(2),
        };
        using var log = new TestOutputWriter(output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));

        var result = await ChaosRun.RunAsync(options, TextWriter.Synchronized(log), timeout.Token);

        Assert.Equal(Enum.GetValues<FaultKind>().Order(), result.FaultsInjected.Keys.Order());
        Assert.Equal(1_000, result.Operations);
        Assert.True(result.Violations == 0, result.SummaryLine);
    }

    /// <summary>Hands the run's output to xUnit line by line (it keeps it with the test result).</summary>
    private sealed class TestOutputWriter(ITestOutputHelper output) : TextWriter
    {
        private readonly StringBuilder line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                output.WriteLine(line.ToString().TrimEnd('\r'));
                line.Clear();
            }
            else
            {
                line.Append(value);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && line.Length > 0) output.WriteLine(line.ToString());
            base.Dispose(disposing);
        }
    }
}
