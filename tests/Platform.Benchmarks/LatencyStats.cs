using System.Globalization;

namespace Platform.Benchmarks;

/// <summary>Percentiles of a set of latencies in milliseconds.</summary>
public sealed record LatencyStats(int Count, double Mean, double P50, double P90, double P99, double P999, double Max)
{
    /// <summary>Not positional, so the modes that print <see cref="Format"/> keep their columns.</summary>
    public double P95 { get; init; }

    public static LatencyStats From(IReadOnlyCollection<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double At(double quantile) => sorted[(int)Math.Round(quantile * (sorted.Length - 1))];
        return new LatencyStats(sorted.Length, sorted.Average(), At(0.5), At(0.9), At(0.99), At(0.999), sorted[^1]) { P95 = At(0.95) };
    }

    public string Format(string unit = "ms")
    {
        var scale = unit == "us" ? 1000.0 : 1.0;
        return string.Create(CultureInfo.InvariantCulture,
            $"n={Count,7}  mean {Mean * scale,8:0.000}  p50 {P50 * scale,8:0.000}  p90 {P90 * scale,8:0.000}  p99 {P99 * scale,8:0.000}  p99.9 {P999 * scale,8:0.000}  max {Max * scale,9:0.000} {unit}");
    }
}
