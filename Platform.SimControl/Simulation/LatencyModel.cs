using Platform.SimControl.Settings;

namespace Platform.SimControl.Simulation;

/// <summary>
/// Draws a latency from min / median / p99: min plus a log-normal whose median and 99th percentile land on the
/// given points. Capped at 3 × p99 so a single draw cannot stall a test.
/// </summary>
internal static class LatencyModel
{
    private const double Z99 = 2.3263478740408408;

    public static int Draw(LatencySettings latency, double gaussian)
    {
        var median = latency.Median - latency.Min;
        var p99 = latency.P99 - latency.Min;
        if (median <= 0)
        {
            // All mass at min, except a tail towards p99 when one is given.
            return p99 <= 0 ? latency.Min : latency.Min + (int)Math.Round(Math.Max(0, gaussian) / Z99 * p99 / 2);
        }
        var sigma = p99 > median ? Math.Log((double)p99 / median) / Z99 : 0;
        var value = latency.Min + median * Math.Exp(sigma * gaussian);
        return (int)Math.Round(Math.Min(value, Math.Max(latency.P99, 1) * 3.0));
    }
}
