using System.Reflection;
using Dapper;
using Npgsql;

namespace Platform.Data.Migrations;

/// <summary>The only place that knows the journal table: its DDL (an embedded script), how rows are read and written.</summary>
internal sealed class MigrationJournal(string schema)
{
    private static readonly string DdlTemplate = ReadDdlTemplate();

    private string Table => $"{schema}.schema_migrations";

    public Task EnsureExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(DdlTemplate.Replace("{journal_schema}", schema, StringComparison.Ordinal),
            cancellationToken: cancellationToken));

    public async Task<Dictionary<int, string>> ReadChecksumsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<AppliedMigration>(new CommandDefinition(
            $"SELECT version, checksum FROM {Table}", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Version, r => r.Checksum);
    }

    public Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SqlMigration migration, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {Table} (version, name, checksum) VALUES (@version, @name, @checksum)",
            new { version = migration.Version, name = migration.Name, checksum = migration.Checksum },
            transaction, cancellationToken: cancellationToken));

    private static string ReadDdlTemplate()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Platform.Data.Migrations.Journal.sql")
            ?? throw new InvalidOperationException("Platform.Data lacks its embedded Journal.sql.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record AppliedMigration(int Version, string Checksum);
}
