using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Queues;

namespace Platform.Api.Outbox;

/// <summary>A unit of durable work as claimed by a worker.</summary>
public sealed record OutboxMessage(long Id, string Kind, Guid SubjectId, JsonElement Payload, int Attempt);

/// <summary>
/// The outbox table. Work is written inside the business transaction that asks for it, so it exists exactly when the
/// business change does; workers take it through a <see cref="LeaseQueue{TId}"/>, so across any number of API
/// instances a row is worked on by one worker at a time, a crashed worker's lease simply lapses, and a message never
/// acknowledged after <see cref="OutboxOptions.MaxAttempts"/> is a dead letter (<c>status = 'dead'</c>) for an operator.
/// </summary>
public sealed class OutboxStore
{
    public const string QueueName = "outbox";

    private static readonly LeaseQueueTable Table = new()
    {
        Name = QueueName,
        Table = "core.outbox",
        IdColumn = "outbox_id",
        Live = "status = 'pending'",
        Returning = "outbox_id, kind, subject_id, payload::text as payload, attempts",
        CompleteSet = "status = 'done', completed_at = @now",
        DeadLetterSet = "status = 'dead', completed_at = @now",
        DeadLetter = "status = 'dead'",
        ReviveSet = "status = 'pending', completed_at = null",
        DeadSince = "completed_at",
        Summary = "kind || ' ' || subject_id",
    };

    private readonly TimeProvider time;
    private readonly OutboxSignal signal;

    public OutboxStore(NpgsqlDataSource dataSource, TimeProvider time, OutboxSignal signal, IOptions<OutboxOptions> options)
    {
        this.time = time;
        this.signal = signal;
        var o = options.Value;
        Queue = new LeaseQueue<long>(dataSource, time, Table, new LeaseQueuePolicy(Backoff.FromMilliseconds(o.RetryBaseMs, o.RetryMaxMs), o.MaxAttempts));
    }

    internal LeaseQueue<long> Queue { get; }

    public async Task EnqueueAsync(NpgsqlTransaction transaction, string kind, Guid subjectId, JsonElement? payload, CancellationToken cancellationToken, TimeSpan? delay = null)
    {
        var now = time.GetUtcNow();
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.outbox (kind, subject_id, payload, next_attempt_at, created_at) values (@kind, @subjectId, @payload::jsonb, @nextAttemptAt, @now)
            """, new { kind, subjectId, payload = payload is { } p ? p.GetRawText() : "{}", nextAttemptAt = now + (delay ?? TimeSpan.Zero), now },
            transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Call after the enqueuing transaction committed: this instance's worker looks at once instead of at its next poll.</summary>
    public void Wake() => signal.Wake();

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var rows = await Queue.ClaimAsync<ClaimedRow>(max, lease, cancellationToken);
        return [.. rows.Select(row =>
        {
            using var payload = JsonDocument.Parse(row.Payload);
            return new OutboxMessage(row.OutboxId, row.Kind, row.SubjectId, payload.RootElement.Clone(), row.Attempts);
        })];
    }

    public Task CompleteAsync(long outboxId, CancellationToken cancellationToken) => Queue.CompleteAsync(outboxId, cancellationToken);

    /// <summary>The message's attempt failed: due again after the backoff, or a dead letter after its last attempt.</summary>
    /// <returns>Whether it is now a dead letter.</returns>
    public Task<bool> RetryLaterAsync(OutboxMessage message, string error, CancellationToken cancellationToken) =>
        Queue.RetryLaterAsync(message.Id, message.Attempt, error, cancellationToken);

    private sealed record ClaimedRow(long OutboxId, string Kind, Guid SubjectId, string Payload, int Attempts);
}

/// <summary>Wakes this instance's outbox worker; other instances find the row at their next poll.</summary>
public sealed class OutboxSignal : WorkSignal;
