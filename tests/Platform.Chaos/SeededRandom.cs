using System.Security.Cryptography;
using System.Text;

namespace Platform.Chaos;

/// <summary>
/// Independent, reproducible random streams derived from the run's seed and a purpose ("op", 1234): the same seed
/// always gives the same operation at each index and the same fault plan, whatever the timing of the run.
/// </summary>
internal static class SeededRandom
{
    public static Random For(long seed, string purpose, long index = 0)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{purpose}|{index}"));
        return new Random(BitConverter.ToInt32(digest, 0));
    }

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static int Between(this Random random, int min, int max) => random.Next(min, max + 1);
}
