using Dapper;
using Npgsql;

namespace Platform.Data.Migrations;

/// <summary>
/// A session-level advisory lock held for the length of a migration run: replicas that start together take turns,
/// and the second finds the work done. Session-level (not transaction-level) because a run spans one transaction
/// per script; it conflicts with a transaction-level lock on the same key, which older code took.
/// </summary>
public sealed class MigrationLock : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly long key;

    private MigrationLock(NpgsqlConnection connection, long key)
    {
        this.connection = connection;
        this.key = key;
    }

    public static async Task<MigrationLock> AcquireAsync(NpgsqlConnection connection, long key, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key }, cancellationToken: cancellationToken));
        return new MigrationLock(connection, key);
    }

    // Not cancellable: a lock left held would make every other replica wait until this connection closes.
    public async ValueTask DisposeAsync() =>
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key }, cancellationToken: CancellationToken.None));
}
