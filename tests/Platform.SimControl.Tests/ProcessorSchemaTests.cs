using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Platform.Data.Migrations;
using Platform.SimControl.Processor;
using Platform.Testing;

namespace Platform.SimControl.Tests;

/// <summary>processor-sim's schema comes from its embedded scripts, journalled in its own schema.</summary>
public sealed class ProcessorSchemaTests : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public Task InitializeAsync() => stores.InitializeAsync();

    public Task DisposeAsync() => stores.DisposeAsync();

    [Fact]
    public async Task Startup_journals_processor_sims_scripts_in_its_own_schema_and_nowhere_else()
    {
        var database = await stores.Postgres.CreateDatabaseAsync("schema");
        await using (var sim = new SimControlFactory(database, stores.Redis.ConnectionString, "http://127.0.0.1:9"))
        {
            _ = sim.Server;
        }

        await using var connection = new NpgsqlConnection(database);
        var versions = await connection.QueryAsync<int>("select version from processor_sim.schema_migrations order by version");
        Assert.Equal(ProcessorSchema.Migrations.Migrations.Select(m => m.Version), versions);
        Assert.Null(await connection.ExecuteScalarAsync<string?>("select to_regclass('public.schema_migrations')::text"));
        Assert.Equal(6, await connection.ExecuteScalarAsync<int>(
            "select count(*) from information_schema.tables where table_schema = 'processor_sim' and table_name <> 'schema_migrations'"));
    }

    /// <summary>
    /// A database whose processor_sim tables the earlier start-up DDL made (the same IF NOT EXISTS statements, run without
    /// a journal): the first script changes nothing, is journalled, and the rows stay.
    /// </summary>
    [Fact]
    public async Task A_database_made_by_the_earlier_start_up_code_comes_up_with_its_rows_and_tables_unchanged()
    {
        var database = await stores.Postgres.CreateDatabaseAsync("legacy");
        await using var connection = new NpgsqlConnection(database);
        await connection.ExecuteAsync(ProcessorSchema.Migrations.Migrations[0].Sql);
        await connection.ExecuteAsync("""
            insert into processor_sim.cards (card_token, type, status, last4, expiry_month, expiry_year, cardholder_name)
            values ('tok_legacy', 'virtual', 'active', '4242', 12, 2030, 'Legacy Holder')
            """);
        var columnsBefore = await ColumnsAsync(connection);

        await using (var sim = new SimControlFactory(database, stores.Redis.ConnectionString, "http://127.0.0.1:9"))
        {
            _ = sim.Server;
        }

        Assert.Equal(columnsBefore, await ColumnsAsync(connection));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from processor_sim.cards where card_token = 'tok_legacy'"));
        Assert.Equal(ProcessorSchema.Migrations.Migrations.Count,
            await connection.ExecuteScalarAsync<int>("select count(*) from processor_sim.schema_migrations"));
    }

    [Fact]
    public async Task A_changed_script_that_was_already_applied_is_refused()
    {
        var database = await stores.Postgres.CreateDatabaseAsync("tamper");
        await using var dataSource = NpgsqlDataSource.Create(database);
        var migrator = new SqlMigrator(dataSource, NullLogger<SqlMigrator>.Instance);
        await migrator.MigrateAsync(ProcessorSchema.Migrations, CancellationToken.None);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update processor_sim.schema_migrations set checksum = 'edited' where version = 1");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(ProcessorSchema.Migrations, CancellationToken.None));

        Assert.Contains("processor-sim was changed after it was applied", error.Message);
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection) =>
        [.. await connection.QueryAsync<string>("""
            select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            from information_schema.columns where table_schema = 'processor_sim' and table_name <> 'schema_migrations'
            order by table_name, ordinal_position
            """)];
}
