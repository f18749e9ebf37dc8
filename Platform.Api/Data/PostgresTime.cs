namespace Platform.Api.Data;

/// <summary>
/// Timestamps as PostgreSQL keeps them (microseconds): an answer built from the clock before a row is read back must
/// carry the same instant the row will show, or a replayed or re-read answer would differ in its last digit.
/// </summary>
internal static class PostgresTime
{
    public static DateTimeOffset Truncate(DateTimeOffset value) => new(value.Ticks - value.Ticks % 10, value.Offset);

    public static DateTime Truncate(DateTime value) => new(value.Ticks - value.Ticks % 10, value.Kind);
}
