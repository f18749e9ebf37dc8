using System.Data;
using Dapper;

namespace Platform.Data;

/// <summary>
/// The conventions every row the services read is mapped by: columns match properties by name (snake_case columns
/// to PascalCase members), never by position, so a column added to a SELECT cannot shift the reads after it.
/// </summary>
public static class RowMapping
{
    private static int configured;

    /// <summary>Idempotent; each service calls it while it registers its services, tests may call it again.</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Npgsql reads timestamptz as a UTC DateTime; the domain speaks DateTimeOffset.
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset offset => offset,
            DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a DateTimeOffset."),
        };

        // Npgsql writes timestamptz only from UTC values; the services' clocks hand out UTC already.
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override DateOnly Parse(object value) => value switch
        {
            DateOnly date => date,
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a DateOnly."),
        };

        public override void SetValue(IDbDataParameter parameter, DateOnly value) => parameter.Value = value;
    }
}
