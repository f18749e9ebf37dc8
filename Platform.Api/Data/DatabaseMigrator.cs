using Platform.Data.Migrations;
using Npgsql;

namespace Platform.Api.Data;

/// <summary>
/// The API's schemas (core, audit, identity): the SQL scripts embedded under Data/Migrations, journalled in
/// <c>public.schema_migrations</c>, applied by the runner processor-sim uses too.
/// </summary>
internal sealed class DatabaseMigrator(NpgsqlDataSource dataSource, ILoggerFactory loggers)
{
    // Any constant works as long as nothing else in the database uses it; this one spells "MIGRATE".
    private const long MigrationLockKey = 0x4D49475241544500;

    public static SqlMigrationSet SqlMigrations { get; } = SqlMigrationSet.FromEmbeddedResources(
        "api", typeof(DatabaseMigrator).Assembly, "Migrations.", journalSchema: "public", MigrationLockKey);

    /// <summary>Returns the SQL scripts this call applied.</summary>
    public Task<IReadOnlyList<SqlMigration>> MigrateAsync(CancellationToken cancellationToken) =>
        new SqlMigrator(dataSource, loggers.CreateLogger<SqlMigrator>()).MigrateAsync(SqlMigrations, cancellationToken);
}
