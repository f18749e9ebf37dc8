using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Data.Queues;

namespace Platform.SimControl.Processor;

/// <summary>
/// The durable queue of webhooks to deliver (<c>processor_sim.webhooks</c>): enqueued in the transaction that completes
/// an operation, then claimed, completed and retried through the shared <see cref="LeaseQueue{TId}"/> (a 30 s lease
/// to one instance at a time, one capped-exponential backoff). Delivery is retried until a receiver answers 2xx, as
/// a processor does, so no webhook becomes a dead letter.
/// </summary>
internal sealed class WebhookOutbox
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static readonly LeaseQueueTable Table = new()
    {
        Name = "processor-sim-webhooks",
        Table = "processor_sim.webhooks",
        IdColumn = "webhook_id",
        Live = "status = 'pending'",
        Returning = "webhook_id, event_type, payload::text as payload, attempts as attempt",
        CompleteSet = "status = 'delivered', delivered_at = @now",
        // Unreachable with MaxAttempts = int.MaxValue; the queue helper asks every table how it would dead-letter.
        DeadLetterSet = "status = 'dead'",
        DeadLetter = "status = 'dead'",
        ReviveSet = "status = 'pending'",
        DeadSince = "null::timestamptz",
        Summary = "event_type",
    };

    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider time;
    private readonly LeaseQueue<string> queue;

    public WebhookOutbox(NpgsqlDataSource dataSource, TimeProvider time, IOptions<ProcessorOptions> options)
    {
        this.dataSource = dataSource;
        this.time = time;
        queue = new LeaseQueue<string>(dataSource, time, Table,
            new LeaseQueuePolicy(Backoff.FromMilliseconds(options.Value.WebhookRetryBaseMs, options.Value.WebhookRetryMaxMs), MaxAttempts: int.MaxValue));
    }

    internal sealed record ClaimedWebhook(string WebhookId, string EventType, string Payload, int Attempt);

    /// <summary>Queues a webhook inside the caller's transaction: it exists if and only if what it reports was committed.</summary>
    public static Task EnqueueAsync(string eventType, JsonElement data, DateTimeOffset now, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        var id = "evt_" + Guid.CreateVersion7(now).ToString("N");
        var payload = JsonSerializer.Serialize(new WebhookEnvelope(id, eventType, now, data), ProcessorJsonContext.Default.WebhookEnvelope);
        return connection.ExecuteAsync(new CommandDefinition("""
            insert into processor_sim.webhooks (webhook_id, event_type, payload, status, next_attempt_at, created_at)
            values (@id, @eventType, @payload::jsonb, 'pending', @now, @now)
            """, new { id, eventType, payload, now }, tx, cancellationToken: cancellationToken));
    }

    /// <summary>Leases up to 20 due webhooks to this instance; another instance takes them over only after the lease lapses.</summary>
    public Task<IReadOnlyList<ClaimedWebhook>> ClaimDueAsync(CancellationToken cancellationToken) =>
        queue.ClaimAsync<ClaimedWebhook>(20, Lease, cancellationToken);

    public Task MarkDeliveredAsync(ClaimedWebhook webhook, int statusCode, CancellationToken cancellationToken) =>
        WithStatusCodeAsync(webhook.WebhookId, statusCode, tx => queue.CompleteAsync(webhook.WebhookId, cancellationToken, tx), cancellationToken);

    /// <summary>The attempt failed: released for another after the backoff.</summary>
    public Task MarkFailedAsync(ClaimedWebhook webhook, int? statusCode, string error, CancellationToken cancellationToken) =>
        WithStatusCodeAsync(webhook.WebhookId, statusCode, tx => queue.RetryLaterAsync(webhook.WebhookId, webhook.Attempt, error, cancellationToken, tx), cancellationToken);

    /// <summary>Not sent on purpose (a simulated reordering): released, due again at <paramref name="dueAt"/>, not after the backoff.</summary>
    public async Task HoldBackAsync(ClaimedWebhook webhook, string reason, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update processor_sim.webhooks set next_attempt_at = @dueAt, last_status_code = null, last_error = @reason, claimed_until = null
            where webhook_id = @webhookId
            """, new { webhookId = webhook.WebhookId, dueAt, reason }, cancellationToken: cancellationToken));
    }

    /// <summary>The receiver's answer is kept beside the queue's own bookkeeping, in one transaction.</summary>
    private async Task WithStatusCodeAsync(string webhookId, int? statusCode, Func<NpgsqlTransaction, Task> queueStep, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("update processor_sim.webhooks set last_status_code = @statusCode where webhook_id = @webhookId",
            new { webhookId, statusCode }, tx, cancellationToken: cancellationToken));
        await queueStep(tx);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Queues a webhook for delivery again, whatever its state (the receiver must treat it as a duplicate).</summary>
    public async Task<WebhookRecord?> ReplayAsync(string webhookId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ProcessorQueries.WebhookRow>(new CommandDefinition($"""
            update processor_sim.webhooks set status = 'pending', next_attempt_at = @now, claimed_until = null, delivered_at = null
            where webhook_id = @webhookId
            returning {ProcessorQueries.WebhookRecordColumns}
            """, new { webhookId, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    /// <summary>Webhooks waiting out a backoff because nobody was listening go out now (a receiver has just registered).</summary>
    public static Task ReleaseBackoffsAsync(DateTimeOffset now, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.webhooks set next_attempt_at = @now where status = 'pending' and next_attempt_at > @now", new { now }, tx, cancellationToken: cancellationToken));
}
