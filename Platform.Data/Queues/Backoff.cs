namespace Platform.Data.Queues;

/// <summary>
/// The one retry schedule of every durable worker: <see cref="First"/> after the first failed attempt, doubling per
/// attempt, never more than <see cref="Max"/>. Capped exponential, so a dependency that is down for hours is asked
/// again every <see cref="Max"/>, not never, and one that blips is asked again almost at once.
/// </summary>
public readonly record struct Backoff(TimeSpan First, TimeSpan Max)
{
    // 2^30 times any sensible first delay is far past any cap; the bound only keeps the arithmetic finite.
    private const int MaxDoublings = 30;

    public static Backoff FromMilliseconds(int first, int max) => new(TimeSpan.FromMilliseconds(first), TimeSpan.FromMilliseconds(max));

    public static Backoff FromSeconds(int first, int max) => new(TimeSpan.FromSeconds(first), TimeSpan.FromSeconds(max));

    /// <summary>How long to wait after attempt number <paramref name="attempt"/> (1 for the first) failed.</summary>
    public TimeSpan After(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, MaxDoublings))));
}
