using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Platform.Api.Statements;

/// <summary>
/// A statement period named <c>YYYY-MM</c>: the month its cycle starts in. With cycle day d it runs from day d of that
/// month (00:00 UTC) to day d of the next, so with the default d = 1 "2031-02" is February.
/// </summary>
public readonly record struct StatementPeriod(int Year, int Month)
{
    public string Name => $"{Year:D4}-{Month:D2}";

    public StatementPeriod Next => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);

    public DateTimeOffset StartsAt(int cycleDay) => new(Year, Month, cycleDay, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Exclusive: the next period's start.</summary>
    public DateTimeOffset EndsAt(int cycleDay) => Next.StartsAt(cycleDay);

    public static StatementPeriod Containing(DateTimeOffset instant, int cycleDay)
    {
        var utc = instant.UtcDateTime;
        var period = new StatementPeriod(utc.Year, utc.Month);
        return utc.Day >= cycleDay ? period : period.Previous;
    }

    /// <summary>The first period (under <paramref name="cycleDay"/>) that does not start before <paramref name="instant"/>.</summary>
    public static StatementPeriod FirstStartingAtOrAfter(DateTimeOffset instant, int cycleDay)
    {
        var period = Containing(instant, cycleDay);
        return period.StartsAt(cycleDay) < instant ? period.Next : period;
    }

    /// <summary>Strictly <c>YYYY-MM</c> (four-digit year from 2000, two-digit month).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out StatementPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-') return false;
        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 2000) return false;
        if (!int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month) || month is < 1 or > 12) return false;
        period = new StatementPeriod(year, month);
        return true;
    }

    public override string ToString() => Name;

    private StatementPeriod Previous => Month == 1 ? new(Year - 1, 12) : new(Year, Month - 1);
}
