using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Api.Data;
using Platform.Testing;

namespace Platform.Api.Tests.Data;

[Collection(ApiCollection.Name)]
public sealed class MigrationTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task Startup_creates_core_and_audit_schemas_and_records_every_migration()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await using var connection = await api.OpenConnectionAsync();

        var schemas = await connection.QueryAsync<string>(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('core', 'audit') ORDER BY 1");
        Assert.Equal(["audit", "core"], schemas);

        var versions = await connection.QueryAsync<int>("SELECT version FROM public.schema_migrations ORDER BY version");
        Assert.Equal(DatabaseMigrator.SqlMigrations.Migrations.Select(m => m.Version), versions);
    }

    [Fact]
    public async Task Running_migrations_again_applies_nothing()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        var migrator = api.Services.GetRequiredService<DatabaseMigrator>();

        var applied = await migrator.MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
    }

    [Fact]
    public async Task Replicas_migrating_at_once_apply_each_migration_exactly_once()
    {
        var database = await stores.Postgres.CreateDatabaseAsync("race");
        await using var dataSource = NpgsqlDataSource.Create(database);
        var replicas = Enumerable.Range(0, 4)
            .Select(_ => new DatabaseMigrator(dataSource, NullLoggerFactory.Instance))
            .ToList();

        var results = await Task.WhenAll(replicas.Select(r => r.MigrateAsync(CancellationToken.None)));

        Assert.Equal(DatabaseMigrator.SqlMigrations.Migrations.Count, results.Sum(r => r.Count));
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(DatabaseMigrator.SqlMigrations.Migrations.Count,
            await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM public.schema_migrations"));
    }

    [Fact]
    public async Task A_changed_migration_that_was_already_applied_stops_startup()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await using (var connection = await api.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE public.schema_migrations SET checksum = 'edited' WHERE version = 1");
        }
        var migrator = api.Services.GetRequiredService<DatabaseMigrator>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(CancellationToken.None));

        Assert.Contains("was changed after it was applied", error.Message);
    }

    /// <summary>
    /// A database the API-only runner migrated before the runner was shared: its journal rows (checksums computed here
    /// independently, as that runner did) are honoured, nothing is applied again and the rows are left as they were.
    /// </summary>
    [Fact]
    public async Task A_database_migrated_by_the_earlier_runner_comes_up_with_nothing_reapplied()
    {
        Platform.Data.RowMapping.Configure();
        var database = await stores.Postgres.CreateDatabaseAsync("legacy");
        await using var dataSource = NpgsqlDataSource.Create(database);
        await MigrateAsTheEarlierRunnerDidAsync(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync();
        var journalBefore = (await connection.QueryAsync<JournalRow>(
            "SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY version")).ToList();

        var applied = await new DatabaseMigrator(dataSource, NullLoggerFactory.Instance).MigrateAsync(CancellationToken.None);

        Assert.Empty(applied);
        var journalAfter = await connection.QueryAsync<JournalRow>(
            "SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY version");
        Assert.Equal(journalBefore, journalAfter);
    }

    private static async Task MigrateAsTheEarlierRunnerDidAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        // The journal exactly as the API-only runner created it.
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS public.schema_migrations (
                version     integer     PRIMARY KEY,
                name        text        NOT NULL,
                checksum    text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """);
        var assembly = typeof(DatabaseMigrator).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal)).Order())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
            var sql = await reader.ReadToEndAsync();
            var fileName = resource["Migrations.".Length..^".sql".Length];
            var separator = fileName.IndexOf('_');
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                new
                {
                    version = int.Parse(fileName[..separator]),
                    name = fileName[(separator + 1)..],
                    checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n")))),
                },
                transaction);
            await transaction.CommitAsync();
        }
    }

    private sealed record JournalRow(int Version, string Name, string Checksum, DateTime AppliedAt);
}
