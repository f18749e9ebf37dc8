using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Platform.Data.Migrations;

/// <summary>
/// Applies a set's scripts in version order, each once, each in its own transaction together with its journal row,
/// under the set's advisory lock. An applied script whose text changed stops the run: applied migrations are
/// immutable, a change is a new script. A journal row with no script beside it is left alone: a newer release's
/// script while replicas roll over, or the API's 0006, whose identity tables EF's migrations took over.
/// </summary>
/// <remarks>
/// Kept in-house rather than DbUp or Evolve (both served here): DbUp (dbup-postgresql 7.0.1) journals script names
/// only — no checksum, so an edited applied script passes unnoticed — and takes no lock, so replicas starting
/// together can both run a script; Evolve 3.2.0 checks checksums and locks, but keeps its own journal
/// (<c>changelog</c>, MD5 of the file, <c>V1__name.sql</c> names), so every existing database's
/// <c>public.schema_migrations</c> would have to be converted and its checksums recomputed in a one-off step. This
/// runner is small, already journals SHA-256 checksums, and existing journals are simply read on.
/// </remarks>
public sealed partial class SqlMigrator(NpgsqlDataSource dataSource, ILogger<SqlMigrator> logger)
{
    /// <summary>Returns the scripts this call applied (none when another replica or an earlier start did).</summary>
    public async Task<IReadOnlyList<SqlMigration>> MigrateAsync(SqlMigrationSet set, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var migrationLock = await MigrationLock.AcquireAsync(connection, set.LockKey, cancellationToken);

        var journal = new MigrationJournal(set.JournalSchema);
        await journal.EnsureExistsAsync(connection, cancellationToken);
        var applied = await journal.ReadChecksumsAsync(connection, cancellationToken);

        var newlyApplied = new List<SqlMigration>();
        foreach (var migration in set.Migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Version} '{migration.Name}' of {set.Name} was changed after it was applied. " +
                        "Applied migrations are immutable: add a new one instead.");
                }
                continue;
            }

            await ApplyAsync(connection, journal, migration, cancellationToken);
            LogApplied(logger, set.Name, migration.Version, migration.Name);
            newlyApplied.Add(migration);
        }
        return newlyApplied;
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, MigrationJournal journal, SqlMigration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
        await journal.RecordAsync(connection, transaction, migration, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Set} {Version} {Name}")]
    private static partial void LogApplied(ILogger logger, string set, int version, string name);
}
