namespace Platform.Api.Tests.Statements;

/// <summary>
/// The wall clock moved by an offset: the API's workers keep their real timers (so outbox and sweepers still run), while
/// every "now" the API reads can be pushed to the day after a period closes. Only forward, like real time.
/// </summary>
public sealed class MovableClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void MoveTo(DateTimeOffset instant)
    {
        var now = GetUtcNow();
        if (instant < now) throw new InvalidOperationException($"The clock only moves forward: it is {now:O}, asked for {instant:O}.");
        Interlocked.Exchange(ref offsetTicks, (instant - System.GetUtcNow()).Ticks);
    }

    /// <summary>Day <paramref name="day"/> of the month after the clock's current month, at 10:00 UTC.</summary>
    public DateTimeOffset MoveToNextMonth(int day)
    {
        var now = GetUtcNow().UtcDateTime;
        var next = new DateTimeOffset(now.Year, now.Month, 1, 10, 0, 0, TimeSpan.Zero).AddMonths(1).AddDays(day - 1);
        MoveTo(next);
        return next;
    }

    /// <summary>Later in the clock's current month.</summary>
    public DateTimeOffset MoveToDay(int day, int hour = 10)
    {
        var now = GetUtcNow().UtcDateTime;
        var target = new DateTimeOffset(now.Year, now.Month, day, hour, 0, 0, TimeSpan.Zero);
        MoveTo(target);
        return target;
    }
}
