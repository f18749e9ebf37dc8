using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The loop every background worker runs: do a round of work, wait, again, until the host stops. No exception stops
/// it: a failed round is logged once per streak of failures (not once per poll), waits a capped exponential backoff and
/// tries again, and the recovery is logged. An exception escaping a worker would stop the whole service
/// (<c>BackgroundServiceExceptionBehavior.StopHost</c>), and with it every request it serves.
/// </summary>
public sealed partial class WorkerLoop(ILogger logger, string worker, TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed rounds so far (0 while healthy).</summary>
    public int Failures { get; private set; }

    /// <param name="round">One round of work.</param>
    /// <param name="idle">What to wait for after a successful round (a poll interval, a signal).</param>
    public async Task RunAsync(Func<CancellationToken, Task> round, Func<CancellationToken, Task> idle, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await round(stoppingToken);
                if (Failures > 0) LogRecovered(logger, worker, Failures);
                Failures = 0;
                await idle(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (++Failures == 1) LogFailing(logger, ex, worker);
                try
                {
                    await Task.Delay(Backoff(Failures), clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Waits <paramref name="interval"/>, the usual idle step of a polling worker.</summary>
    public Func<CancellationToken, Task> Every(TimeSpan interval) => token => Task.Delay(interval, clock, token);

    internal TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} failed; it backs off and carries on (logged once until it recovers)")]
    private static partial void LogFailing(ILogger logger, Exception exception, string worker);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Worker} recovered after {Failures} failed rounds")]
    private static partial void LogRecovered(ILogger logger, string worker, int failures);
}
