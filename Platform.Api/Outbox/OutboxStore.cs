using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Platform.Api.Data;

namespace Platform.Api.Outbox;

/// <summary>A unit of durable work as claimed by a worker.</summary>
public sealed record OutboxMessage(long Id, string Kind, Guid SubjectId, JsonElement Payload, int Attempt);

/// <summary>
/// The outbox table. Work is written inside the business transaction that asks for it, so it exists exactly when the
/// business change does; workers lease rows (<c>FOR UPDATE SKIP LOCKED</c>), so across any number of API instances a
/// row is worked on by one worker at a time, and a crashed worker's lease simply lapses.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource dataSource, TimeProvider time, OutboxSignal signal)
{
    public async Task EnqueueAsync(NpgsqlTransaction transaction, string kind, Guid subjectId, JsonElement? payload, CancellationToken cancellationToken, TimeSpan? delay = null)
    {
        var now = time.GetUtcNow();
        await using var command = Sql.Command(transaction.Connection!, transaction, """
            insert into core.outbox (kind, subject_id, payload, next_attempt_at, created_at) values ($1, $2, $3, $4, $5)
            """, kind, subjectId, null, now + (delay ?? TimeSpan.Zero), now);
        command.Parameters[2] = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = payload is { } p ? p.GetRawText() : "{}" };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Call after the enqueuing transaction committed: this instance's worker looks at once instead of at its next poll.</summary>
    public void Wake() => signal.Wake();

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            update core.outbox set claimed_until = $2, attempts = attempts + 1
            where outbox_id in (
                select outbox_id from core.outbox
                where status = 'pending' and next_attempt_at <= $1 and (claimed_until is null or claimed_until < $1)
                order by next_attempt_at
                limit $3
                for update skip locked)
            returning outbox_id, kind, subject_id, payload::text, attempts
            """, now, now + lease, max);
        var claimed = new List<OutboxMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var payload = JsonDocument.Parse(reader.GetString(3));
            claimed.Add(new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetGuid(2), payload.RootElement.Clone(), reader.GetInt32(4)));
        }
        return claimed;
    }

    public async Task CompleteAsync(long outboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, "update core.outbox set status = 'done', completed_at = $2, claimed_until = null, last_error = null where outbox_id = $1",
            cancellationToken, outboxId, time.GetUtcNow());
    }

    public async Task RetryLaterAsync(long outboxId, string error, TimeSpan delay, bool giveUp, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, """
            update core.outbox set status = case when $5 then 'dead' else 'pending' end, next_attempt_at = $2, claimed_until = null, last_error = $3,
                completed_at = case when $5 then $4 end
            where outbox_id = $1
            """, cancellationToken, outboxId, time.GetUtcNow() + delay, error.Length > 1000 ? error[..1000] : error, time.GetUtcNow(), giveUp);
    }
}

/// <summary>Wakes this instance's outbox worker; other instances find the row at their next poll.</summary>
public sealed class OutboxSignal : WorkSignal;
