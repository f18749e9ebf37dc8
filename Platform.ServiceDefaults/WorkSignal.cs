namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Wakes a polling worker of this process at once when this process has just made work for it, instead of at its next
/// poll; other instances still find the work at theirs. Wakes while the worker is busy are folded into one.
/// </summary>
public class WorkSignal
{
    private readonly SemaphoreSlim wake = new(0, 1);

    public void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            try { wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
        }
    }

    /// <summary>True when woken, false when <paramref name="timeout"/> (the poll interval) passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => wake.WaitAsync(timeout, cancellationToken);
}
