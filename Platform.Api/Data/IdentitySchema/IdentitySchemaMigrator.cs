using System.Reflection;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Platform.Api.Data.IdentitySchema.Migrations;
using Platform.Api.Identity;
using Platform.Data.Migrations;

namespace Platform.Api.Data.IdentitySchema;

/// <summary>
/// The identity schema is EF's: <see cref="IdentityStore"/>'s migrations (Data/IdentitySchema/Migrations, added with
/// <c>dotnet ef migrations add</c>) make and change it. Databases made before that got the same tables from the SQL
/// script 0006_identity.sql, which was generated from the same model; EF is told its initial migration is in place
/// there, so nothing is created twice and no row is touched.
/// </summary>
internal sealed partial class IdentitySchemaMigrator(NpgsqlDataSource dataSource, ILogger<IdentitySchemaMigrator> logger)
{
    /// <summary>The SQL journal's entry for the script that made identity's tables before EF's migrations did.</summary>
    private const int FormerScriptVersion = 6;

    /// <summary>
    /// That script's checksum as the SQL runner journalled it: an entry with any other checksum is not the text
    /// <see cref="InitialIdentity"/> reproduces, so it is not taken as EF's initial migration.
    /// </summary>
    private const string FormerScriptChecksum = "eef87293391aa5145f4b7d40d42e9a5006b97f8dcff904ca8adff76f7aadcec6";

    private static readonly string InitialMigrationId = typeof(InitialIdentity).GetCustomAttribute<MigrationAttribute>()!.Id;

    /// <summary>Under the caller's advisory lock key, so replicas take turns with each other and with the SQL scripts.</summary>
    /// <returns>The EF migrations this call applied.</returns>
    public async Task<IReadOnlyList<string>> MigrateAsync(long lockKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var migrationLock = await MigrationLock.AcquireAsync(connection, lockKey, cancellationToken);
        await using var store = new IdentityStore(IdentityStoreOptions.For(dataSource));

        await AdoptFormerScriptAsync(connection, store, cancellationToken);
        var pending = (await store.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await store.Database.MigrateAsync(cancellationToken);
        foreach (var migration in pending)
        {
            LogApplied(logger, migration);
        }
        return pending;
    }

    private async Task AdoptFormerScriptAsync(NpgsqlConnection connection, IdentityStore store, CancellationToken cancellationToken)
    {
        var history = store.GetService<IHistoryRepository>();
        if (await history.ExistsAsync(cancellationToken)
            && (await history.GetAppliedMigrationsAsync(cancellationToken)).Any(m => m.MigrationId == InitialMigrationId))
        {
            return;
        }

        var sqlJournalExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('public.schema_migrations') IS NOT NULL", cancellationToken: cancellationToken));
        var formerChecksum = !sqlJournalExists ? null : await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT checksum FROM public.schema_migrations WHERE version = @version",
            new { version = FormerScriptVersion }, cancellationToken: cancellationToken));
        if (formerChecksum is null)
        {
            return; // identity's tables were never made by the script: EF makes them now.
        }
        if (formerChecksum != FormerScriptChecksum)
        {
            throw new InvalidOperationException(
                $"Migration {FormerScriptVersion} 'identity' was changed after it was applied, so it cannot stand for EF's " +
                $"initial identity migration {InitialMigrationId}.");
        }

        await history.CreateIfNotExistsAsync(cancellationToken);
        await store.Database.ExecuteSqlRawAsync(
            history.GetInsertScript(new HistoryRow(InitialMigrationId, ProductInfo.GetVersion())), cancellationToken);
        LogAdopted(logger, InitialMigrationId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied identity migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string migration);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Identity tables made by SQL migration 0006 recorded as EF migration {Migration}; nothing was changed")]
    private static partial void LogAdopted(ILogger logger, string migration);
}
