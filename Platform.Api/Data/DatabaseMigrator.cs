using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Platform.Api.Data;

/// <summary>
/// Applies the SQL scripts embedded under Data/Migrations in version order, each once, each in its own transaction.
/// A session-level advisory lock makes replicas that start together take turns: the second finds the work done.
/// </summary>
internal sealed partial class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    // Any constant works as long as nothing else in the database uses it; this one spells "MIGRATE".
    private const long MigrationLockKey = 0x4D49475241544500;
    private const string ResourcePrefix = "Migrations.";

    public static IReadOnlyList<Migration> EmbeddedMigrations { get; } = LoadEmbeddedMigrations();

    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", MigrationLockKey));
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS public.schema_migrations (
                    version     integer     PRIMARY KEY,
                    name        text        NOT NULL,
                    checksum    text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<Migration>();
            foreach (var migration in EmbeddedMigrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Version} '{migration.Name}' was changed after it was applied. " +
                            "Applied migrations are immutable: add a new one instead.");
                    }
                    continue;
                }

                await ApplyAsync(connection, migration, cancellationToken);
                newlyApplied.Add(migration);
            }
            return newlyApplied;
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", MigrationLockKey));
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var record = new NpgsqlCommand(
            "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
            connection, transaction))
        {
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            record.Parameters.AddWithValue("checksum", migration.Checksum);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        LogApplied(logger, migration.Version, migration.Name);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM public.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }
        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<Migration> LoadEmbeddedMigrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            // Resource names look like "Migrations.0001_core_and_audit.sql".
            var fileName = resource[ResourcePrefix.Length..^".sql".Length];
            var separator = fileName.IndexOf('_');
            if (separator <= 0 || !int.TryParse(fileName[..separator], out var version))
            {
                throw new InvalidOperationException($"Migration '{fileName}' must be named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            migrations.Add(new Migration(version, fileName[(separator + 1)..], sql, checksum));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}.");
        }
        return [.. migrations.OrderBy(m => m.Version)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version} {Name}")]
    private static partial void LogApplied(ILogger logger, int version, string name);
}

internal sealed record Migration(int Version, string Name, string Sql, string Checksum);
