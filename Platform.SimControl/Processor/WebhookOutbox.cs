using System.Text.Json;
using Dapper;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>
/// The durable queue of webhooks to deliver (<c>processor_sim.webhooks</c>): enqueued in the transaction that completes
/// an operation, leased to one instance at a time, then marked delivered or put back with a backoff. The queue's
/// claim/complete/retry SQL is all here, so it can move onto a shared lease-queue helper in one place.
/// </summary>
internal sealed class WebhookOutbox(NpgsqlDataSource dataSource, TimeProvider time)
{
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

    /// <summary>Leases due webhooks to this instance for 30 s; another instance takes them over only after the lease lapses.</summary>
    public async Task<IReadOnlyList<ClaimedWebhook>> ClaimDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leasedUntil = now.AddSeconds(30);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<ClaimedWebhook>(new CommandDefinition("""
            update processor_sim.webhooks set claimed_until = @leasedUntil, attempts = attempts + 1
            where webhook_id in (
                select webhook_id from processor_sim.webhooks
                where status = 'pending' and next_attempt_at <= @now and (claimed_until is null or claimed_until < @now)
                order by next_attempt_at limit 20 for update skip locked)
            returning webhook_id, event_type, payload::text as payload, attempts as attempt
            """, new { now, leasedUntil }, cancellationToken: cancellationToken))];
    }

    public async Task MarkDeliveredAsync(string webhookId, int statusCode, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update processor_sim.webhooks set status = 'delivered', delivered_at = @now, last_status_code = @statusCode, last_error = null, claimed_until = null
            where webhook_id = @webhookId
            """, new { webhookId, now = time.GetUtcNow(), statusCode }, cancellationToken: cancellationToken));
    }

    /// <summary>Releases the lease and puts the webhook back for another attempt at <paramref name="nextAttemptAt"/>.</summary>
    public async Task MarkFailedAsync(string webhookId, int? statusCode, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update processor_sim.webhooks set next_attempt_at = @nextAttemptAt, last_status_code = @statusCode, last_error = @error, claimed_until = null
            where webhook_id = @webhookId
            """, new { webhookId, nextAttemptAt, statusCode, error = error.Length > 500 ? error[..500] : error }, cancellationToken: cancellationToken));
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
