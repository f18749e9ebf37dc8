namespace Platform.Fraud.Training;

/// <summary>
/// Seeded draws for the generators. <see cref="Random(int)"/> with a seed is the same sequence on every .NET
/// version and platform, which is what makes training reproducible.
/// </summary>
internal sealed class SyntheticRandom(int seed)
{
    private readonly Random random = new(seed);

    public double Uniform() => random.NextDouble();

    public double Uniform(double min, double max) => min + (max - min) * random.NextDouble();

    public int Int(int minInclusive, int maxInclusive) => random.Next(minInclusive, maxInclusive + 1);

    public long Long(long minInclusive, long maxInclusive) => random.NextInt64(minInclusive, maxInclusive + 1);

    public bool Chance(double probability) => random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Picks by weight; weights need not sum to one.</summary>
    public T Pick<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = 0.0;
        foreach (var (_, weight) in items)
        {
            total += weight;
        }
        var draw = random.NextDouble() * total;
        foreach (var (item, weight) in items)
        {
            draw -= weight;
            if (draw < 0)
            {
                return item;
            }
        }
        return items[^1].Item;
    }

    public double Normal(double mean, double deviation)
    {
        // Box-Muller; 1 - u keeps the logarithm away from zero.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double LogNormal(double median, double sigma) => median * Math.Exp(Normal(0, sigma));

    /// <summary>Waiting time of a Poisson process with <paramref name="ratePerUnit"/> events per unit.</summary>
    public double Exponential(double ratePerUnit) => -Math.Log(1.0 - random.NextDouble()) / ratePerUnit;

    public string Id(string prefix) => prefix + random.NextInt64(1L << 40, 1L << 50).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
