using StackExchange.Redis;

namespace Platform.Api.TestClock;

/// <summary>
/// A clock QA and the end-to-end tests can move forward (a "test clock"), so that what happens with time — a statement
/// cycle closing, a hold expiring — can be watched through the running system. Only ever registered when
/// <c>TestClock:Enabled</c> is true; production uses the system clock.
/// </summary>
public sealed class AdjustableClock : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    internal void Set(TimeSpan offset) => Interlocked.Exchange(ref offsetTicks, offset.Ticks);
}

/// <summary>
/// Keeps every API instance on the same shifted time: the offset lives in Redis and each instance reads it a few times
/// a second, so a move reaches all replicas within a fraction of a second.
/// </summary>
internal sealed class AdjustableClockSync(IConnectionMultiplexer redis, AdjustableClock clock, ILogger<AdjustableClockSync> logger) : BackgroundService
{
    public const string OffsetKey = "platform:test-clock:offset-seconds";

    // While Redis is away the last known offset is kept; the loop tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new WorkerLoop(logger, "Test clock sync");
        return loop.RunAsync(_ => BackgroundTelemetry.UntracedAsync(RefreshAsync), loop.Every(TimeSpan.FromMilliseconds(250)), stoppingToken);
    }

    public async Task RefreshAsync()
    {
        var value = await redis.GetDatabase().StringGetAsync(OffsetKey);
        clock.Set(TimeSpan.FromSeconds(value.TryParse(out long seconds) ? seconds : 0));
    }
}
