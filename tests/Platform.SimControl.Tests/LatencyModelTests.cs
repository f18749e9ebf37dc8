using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;

namespace Platform.SimControl.Tests;

public sealed class LatencyModelTests
{
    [Fact]
    public void Drawn_latencies_hit_the_configured_median_and_p99()
    {
        var random = SimRandom.FromText("latency-model");
        var settings = new LatencySettings { Min = 10, Median = 40, P99 = 200 };

        var samples = Enumerable.Range(0, 20_000).Select(_ => LatencyModel.Draw(settings, random.NextGaussian())).Order().ToArray();

        Assert.True(samples[0] >= 10);
        Assert.InRange(samples[samples.Length / 2], 38, 42);
        Assert.InRange(samples[(int)(samples.Length * 0.99)], 180, 220);
    }

    [Fact]
    public void The_seeded_stream_repeats_and_differs_by_sequence()
    {
        var a = SimRandom.Seeded(5, "processor", "authorize", 1);
        var b = SimRandom.Seeded(5, "processor", "authorize", 1);
        var c = SimRandom.Seeded(5, "processor", "authorize", 2);

        Assert.Equal(a.NextDouble(), b.NextDouble());
        Assert.NotEqual(SimRandom.Seeded(5, "processor", "authorize", 1).NextDouble(), c.NextDouble());
    }
}
