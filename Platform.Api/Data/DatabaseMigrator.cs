using Npgsql;
using Platform.Api.Data.IdentitySchema;
using Platform.Data.Migrations;

namespace Platform.Api.Data;

/// <summary>
/// The API's schemas: identity first, by EF's migrations (core tables reference its users), then core and audit, by
/// the SQL scripts embedded under Data/Migrations, journalled in <c>public.schema_migrations</c> and applied by the
/// runner processor-sim uses too. Both steps take the same advisory lock, so replicas starting together take turns.
/// </summary>
internal sealed class DatabaseMigrator(NpgsqlDataSource dataSource, ILoggerFactory loggers)
{
    // Any constant works as long as nothing else in the database uses it; this one spells "MIGRATE".
    private const long MigrationLockKey = 0x4D49475241544500;

    public static SqlMigrationSet SqlMigrations { get; } = SqlMigrationSet.FromEmbeddedResources(
        "api", typeof(DatabaseMigrator).Assembly, "Migrations.", journalSchema: "public", MigrationLockKey);

    /// <summary>Returns the SQL scripts this call applied.</summary>
    public async Task<IReadOnlyList<SqlMigration>> MigrateAsync(CancellationToken cancellationToken)
    {
        await new IdentitySchemaMigrator(dataSource, loggers.CreateLogger<IdentitySchemaMigrator>())
            .MigrateAsync(MigrationLockKey, cancellationToken);
        return await new SqlMigrator(dataSource, loggers.CreateLogger<SqlMigrator>()).MigrateAsync(SqlMigrations, cancellationToken);
    }
}
