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

        var schemas = await QueryListAsync(connection,
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('core', 'audit') ORDER BY 1");
        Assert.Equal(["audit", "core"], schemas);

        var versions = await QueryListAsync(connection, "SELECT version::text FROM public.schema_migrations ORDER BY schema_migrations.version");
        Assert.Equal(DatabaseMigrator.EmbeddedMigrations.Select(m => m.Version.ToString()), versions);
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
            .Select(_ => new DatabaseMigrator(dataSource, NullLogger<DatabaseMigrator>.Instance))
            .ToList();

        var results = await Task.WhenAll(replicas.Select(r => r.MigrateAsync(CancellationToken.None)));

        Assert.Equal(DatabaseMigrator.EmbeddedMigrations.Count, results.Sum(r => r.Count));
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM public.schema_migrations", connection);
        Assert.Equal((long)DatabaseMigrator.EmbeddedMigrations.Count, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_changed_migration_that_was_already_applied_stops_startup()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await using (var connection = await api.OpenConnectionAsync())
        await using (var tamper = new NpgsqlCommand("UPDATE public.schema_migrations SET checksum = 'edited' WHERE version = 1", connection))
        {
            await tamper.ExecuteNonQueryAsync();
        }
        var migrator = api.Services.GetRequiredService<DatabaseMigrator>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(CancellationToken.None));

        Assert.Contains("was changed after it was applied", error.Message);
    }

    private static async Task<List<string>> QueryListAsync(NpgsqlConnection connection, string sql)
    {
        var values = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
