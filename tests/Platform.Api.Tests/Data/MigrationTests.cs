using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Api.Data;
using Platform.Api.Data.IdentitySchema;
using Platform.Api.Identity;
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

    [Fact]
    public async Task Identity_tables_on_a_new_database_come_from_efs_migrations_and_are_journalled_by_ef()
    {
        await using var api = await ApiFactory.StartAsync(stores);
        await using var connection = await api.OpenConnectionAsync();

        var history = await connection.QueryAsync<string>("""SELECT "MigrationId" FROM identity."__EFMigrationsHistory" ORDER BY 1""");
        Assert.Equal(IdentityMigrationIds(api.DatabaseConnectionString), history);
        Assert.DoesNotContain(6, await connection.QueryAsync<int>("SELECT version FROM public.schema_migrations"));
        Assert.NotNull(await connection.ExecuteScalarAsync<string?>("""SELECT to_regclass('identity."AspNetUsers"')::text"""));
    }

    /// <summary>
    /// A database the API-only runner migrated before the runner was shared and before identity moved to EF (0006 made
    /// identity's tables): its journal rows, checksums computed here independently as that runner did, are honoured,
    /// EF learns its initial migration is in place, users and their devices stay, and the schema ends up exactly as a
    /// new database's.
    /// </summary>
    [Fact]
    public async Task A_database_migrated_by_the_earlier_runner_comes_up_with_nothing_reapplied_and_no_row_lost()
    {
        Platform.Data.RowMapping.Configure();
        await using var legacy = NpgsqlDataSource.Create(await stores.Postgres.CreateDatabaseAsync("legacy"));
        await MigrateAsTheEarlierRunnerDidAsync(legacy);
        await using var connection = await legacy.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO identity."AspNetUsers" ("Id", "UserName", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES ('user-1', 'legacy@example.com', true, false, false, true, 0);
            INSERT INTO core.known_devices (user_id, device_hash, first_seen_at, last_seen_at) VALUES ('user-1', 'device-1', now(), now());
            """);
        var journalBefore = (await connection.QueryAsync<JournalRow>(
            "SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY version")).ToList();

        var applied = await new DatabaseMigrator(legacy, NullLoggerFactory.Instance).MigrateAsync(CancellationToken.None);

        Assert.Equal(DatabaseMigrator.SqlMigrations.Migrations.Where(m => m.Version > LastVersionOfTheEarlierRunner).Select(m => m.Version),
            applied.Select(m => m.Version));
        var journalAfter = await connection.QueryAsync<JournalRow>(
            $"SELECT version, name, checksum, applied_at FROM public.schema_migrations WHERE version <= {LastVersionOfTheEarlierRunner} ORDER BY version");
        Assert.Equal(journalBefore, journalAfter);
        var history = await connection.QueryAsync<string>("""SELECT "MigrationId" FROM identity."__EFMigrationsHistory" ORDER BY 1""");
        Assert.Equal(IdentityMigrationIds(legacy.ConnectionString), history);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("""SELECT count(*) FROM identity."AspNetUsers" u JOIN core.known_devices d ON d.user_id = u."Id" """));

        await using var fresh = NpgsqlDataSource.Create(await stores.Postgres.CreateDatabaseAsync("fresh"));
        await new DatabaseMigrator(fresh, NullLoggerFactory.Instance).MigrateAsync(CancellationToken.None);
        await using var freshConnection = await fresh.OpenConnectionAsync();
        Assert.Equal(await SchemaShapeAsync(freshConnection), await SchemaShapeAsync(connection));
    }

    [Fact]
    public async Task An_earlier_identity_script_whose_text_was_changed_is_not_taken_for_efs_initial_migration()
    {
        await using var legacy = NpgsqlDataSource.Create(await stores.Postgres.CreateDatabaseAsync("edited"));
        await MigrateAsTheEarlierRunnerDidAsync(legacy);
        await using (var connection = await legacy.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE public.schema_migrations SET checksum = 'edited' WHERE version = 6");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new DatabaseMigrator(legacy, NullLoggerFactory.Instance).MigrateAsync(CancellationToken.None));

        Assert.Contains("was changed after it was applied", error.Message);
    }

    /// <summary>Scripts 1–10: the embedded ones up to there, with 0006_identity.sql as those releases shipped it.</summary>
    private const int LastVersionOfTheEarlierRunner = 10;

    private static async Task MigrateAsTheEarlierRunnerDidAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(ReadResource(typeof(MigrationTests).Assembly, "Legacy.schema_migrations.sql"));
        var scripts = Scripts(typeof(DatabaseMigrator).Assembly, "Migrations.")
            .Concat(Scripts(typeof(MigrationTests).Assembly, "Legacy."))
            .Where(s => s.Version <= LastVersionOfTheEarlierRunner)
            .OrderBy(s => s.Version);
        foreach (var (version, name, sql) in scripts)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(sql, transaction: transaction);
            await connection.ExecuteAsync(
                "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                new { version, name, checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n")))) },
                transaction);
            await transaction.CommitAsync();
        }
    }

    private static IEnumerable<(int Version, string Name, string Sql)> Scripts(Assembly assembly, string prefix)
    {
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && char.IsAsciiDigit(n[prefix.Length])))
        {
            var fileName = resource[prefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_');
            yield return (int.Parse(fileName[..separator]), fileName[(separator + 1)..], ReadResource(assembly, resource));
        }
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static List<string> IdentityMigrationIds(string connectionString)
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var store = new IdentityStore(IdentityStoreOptions.For(dataSource));
        return [.. store.Database.GetMigrations().Order()];
    }

    /// <summary>Every column, constraint and index of the API's schemas, as PostgreSQL describes them.</summary>
    private static async Task<List<string>> SchemaShapeAsync(NpgsqlConnection connection) =>
    [
        .. await connection.QueryAsync<string>("""
            SELECT table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                   || coalesce(column_default, '') || ' ' || is_identity || ' ' || coalesce(character_maximum_length::text, '') || ' #' || ordinal_position
            FROM information_schema.columns WHERE table_schema IN ('core', 'audit', 'identity')
            UNION ALL
            SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname IN ('core', 'audit', 'identity')
            UNION ALL
            SELECT indexdef FROM pg_indexes WHERE schemaname IN ('core', 'audit', 'identity')
            UNION ALL
            SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
            ORDER BY 1
            """),
    ];

    private sealed record JournalRow(int Version, string Name, string Checksum, DateTime AppliedAt);
}
