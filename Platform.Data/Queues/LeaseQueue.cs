using Dapper;
using Npgsql;

namespace Platform.Data.Queues;

/// <summary>How a queue retries: the backoff between attempts and how many attempts an item gets before it is a dead letter.</summary>
public sealed record LeaseQueuePolicy(Backoff Backoff, int MaxAttempts);

/// <summary>
/// Durable work in a table, worked on by any number of workers on any number of instances. A claim leases due items
/// (<c>FOR UPDATE SKIP LOCKED</c>, so two workers never take the same one) and counts the attempt; a worker that
/// crashes holding a lease simply lets it lapse, and the item is claimed again. A failed attempt is retried after
/// <see cref="LeaseQueuePolicy.Backoff"/>; after <see cref="LeaseQueuePolicy.MaxAttempts"/> the item becomes a dead
/// letter, which operators list and retry (<see cref="IDeadLetterQueue"/>). Handlers must be idempotent: an item whose
/// lease lapsed mid-work is worked on again.
/// </summary>
public sealed class LeaseQueue<TId> : IDeadLetterQueue where TId : IParsable<TId>
{
    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider time;
    private readonly LeaseQueueTable table;
    private readonly string claimSql;
    private readonly string completeSql;
    private readonly string retrySql;
    private readonly string deadLetterSql;
    private readonly string listDeadLettersSql;
    private readonly string reviveSql;
    private readonly string existsSql;

    public LeaseQueue(NpgsqlDataSource dataSource, TimeProvider time, LeaseQueueTable table, LeaseQueuePolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(policy.MaxAttempts, 1);
        RowMapping.Configure();
        this.dataSource = dataSource;
        this.time = time;
        this.table = table;
        Policy = policy;
        var (t, id) = (table.Table, table.IdColumn);
        var setError = table.LastErrorColumn is { } e ? $", {e} = @error" : "";
        claimSql = $"""
            update {t} set claimed_until = @leaseEnds, attempts = attempts + 1
            where {id} in (
                select {id} from {t}
                where ({table.Live}) and next_attempt_at <= @now and (claimed_until is null or claimed_until < @now)
                order by next_attempt_at
                limit @max
                for update skip locked)
            returning {table.Returning}
            """;
        completeSql = $"update {t} set {(table.CompleteSet is { } c ? c + ", " : "")}claimed_until = null{(table.LastErrorColumn is { } ce ? $", {ce} = null" : "")} where {id} = @id";
        retrySql = $"update {t} set next_attempt_at = @nextAttemptAt, claimed_until = null{setError} where {id} = @id";
        deadLetterSql = $"update {t} set {table.DeadLetterSet}, claimed_until = null{setError} where {id} = @id";
        listDeadLettersSql = $"""
            select {id}::text as id, ({table.Summary})::text as summary, attempts, {table.LastErrorColumn ?? "null::text"} as last_error,
                {table.DeadSince} as dead_since
            from {t} where ({table.DeadLetter})
            order by dead_since desc nulls last, {id} desc
            limit @limit
            """;
        reviveSql = $"update {t} set {table.ReviveSet}, attempts = 0, next_attempt_at = @now, claimed_until = null where {id} = @id and ({table.DeadLetter})";
        existsSql = $"select count(*) from {t} where {id} = @id";
    }

    public string Name => table.Name;

    public LeaseQueuePolicy Policy { get; }

    /// <summary>
    /// Leases up to <paramref name="max"/> due items for <paramref name="lease"/> and counts the attempt; the rows come
    /// back as <typeparamref name="TRow"/>, mapped by column name from <see cref="LeaseQueueTable.Returning"/>.
    /// </summary>
    public async Task<IReadOnlyList<TRow>> ClaimAsync<TRow>(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TRow>(new CommandDefinition(claimSql,
            new { now, leaseEnds = now + lease, max, maxAttempts = Policy.MaxAttempts }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The item's work is done: it is never claimed again (unless <see cref="LeaseQueueTable.CompleteSet"/> keeps it live).</summary>
    public Task CompleteAsync(TId id, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null) =>
        ExecuteAsync(completeSql, new { id, now = time.GetUtcNow() }, transaction, cancellationToken);

    /// <summary>
    /// Attempt <paramref name="attempt"/> failed: the item is due again after the policy's backoff, or, when that was
    /// its last attempt, becomes a dead letter.
    /// </summary>
    /// <returns>Whether the item is now a dead letter.</returns>
    public async Task<bool> RetryLaterAsync(TId id, int attempt, string error, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        if (attempt >= Policy.MaxAttempts)
        {
            await DeadLetterAsync(id, error, cancellationToken, transaction);
            return true;
        }
        var now = time.GetUtcNow();
        await ExecuteAsync(retrySql, new { id, now, nextAttemptAt = now + Policy.Backoff.After(attempt), error = Truncate(error) }, transaction, cancellationToken);
        return false;
    }

    /// <summary>Gives up on the item now (for a worker that knows more attempts cannot help); it waits for an operator.</summary>
    public Task DeadLetterAsync(TId id, string? error, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null) =>
        ExecuteAsync(deadLetterSql, new { id, now = time.GetUtcNow(), error = error is null ? null : Truncate(error), maxAttempts = Policy.MaxAttempts },
            transaction, cancellationToken);

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DeadLetterRow>(new CommandDefinition(listDeadLettersSql,
            new { limit, now = time.GetUtcNow(), maxAttempts = Policy.MaxAttempts }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DeadLetter(Name, r.Id, r.Summary, r.Attempts, r.LastError, r.DeadSince))];
    }

    public async Task<DeadLetterRetry> RetryDeadLetterAsync(string id, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        if (!TId.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var parsed)) return DeadLetterRetry.NotFound;
        await using var own = transaction is null ? await dataSource.OpenConnectionAsync(cancellationToken) : null;
        var connection = transaction?.Connection ?? own!;
        var revived = await connection.ExecuteAsync(new CommandDefinition(reviveSql,
            new { id = parsed, now = time.GetUtcNow(), maxAttempts = Policy.MaxAttempts }, transaction, cancellationToken: cancellationToken));
        if (revived > 0) return DeadLetterRetry.Retried;
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(existsSql, new { id = parsed }, transaction, cancellationToken: cancellationToken));
        return exists > 0 ? DeadLetterRetry.NotDead : DeadLetterRetry.NotFound;
    }

    private async Task ExecuteAsync(string sql, object parameters, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            await transaction.Connection!.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    private static string Truncate(string error) => error.Length > 1000 ? error[..1000] : error;

    private sealed record DeadLetterRow(string Id, string Summary, int Attempts, string? LastError, DateTimeOffset? DeadSince);
}
