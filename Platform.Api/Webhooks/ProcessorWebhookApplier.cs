using System.Text.Json;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Cards;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Ledger;

namespace Platform.Api.Webhooks;

public enum WebhookOutcome { Applied, Duplicate, Ignored, NotYetKnown, Unreadable }

/// <summary>
/// Applies processor webhooks exactly once. The webhook id is recorded in the same transaction as its effect, so a
/// redelivery (to this replica or another) finds it and changes nothing; and each effect only moves an operation or a
/// card forward from the state it expects, so events arriving out of order cannot undo a later one. A failed reversal
/// attempt queues the next one in the same transaction: a reversal ends only when the processor confirms its void.
/// </summary>
public sealed class ProcessorWebhookApplier(NpgsqlDataSource dataSource, LedgerPostings ledger, Reversals reversals, IAuditTrail audit, TimeProvider time)
{
    public async Task<WebhookOutcome> ApplyAsync(ProcessorWebhookEnvelope envelope, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (await Sql.ExecuteAsync(connection, tx, "insert into core.processed_webhooks (webhook_id, event_type, received_at) values ($1, $2, $3) on conflict do nothing",
                cancellationToken, envelope.Id, envelope.Type, time.GetUtcNow()) == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            return WebhookOutcome.Duplicate;
        }

        WebhookOutcome outcome;
        try
        {
            outcome = envelope.Type.StartsWith("card.", StringComparison.Ordinal)
                ? await ApplyCardEventAsync(tx, envelope, envelope.Data.Deserialize(ProcessorJsonContext.Default.ProcessorCard)!, cancellationToken)
                : await ApplyOperationEventAsync(tx, envelope, envelope.Data.Deserialize(ProcessorJsonContext.Default.ProcessorOperation)!, cancellationToken);
        }
        catch (Exception ex) when (ex is JsonException or NullReferenceException)
        {
            outcome = WebhookOutcome.Unreadable;
        }
        if (outcome is WebhookOutcome.NotYetKnown or WebhookOutcome.Unreadable)
        {
            // Nothing recorded, the webhook id included: the redelivery gets a fresh chance.
            await tx.RollbackAsync(cancellationToken);
            return outcome;
        }
        await tx.CommitAsync(cancellationToken);
        return outcome;
    }

    private async Task<WebhookOutcome> ApplyOperationEventAsync(NpgsqlTransaction tx, ProcessorWebhookEnvelope envelope, ProcessorOperation data, CancellationToken cancellationToken)
    {
        var succeeded = envelope.Type.EndsWith(".succeeded", StringComparison.Ordinal);
        if (!succeeded && !envelope.Type.EndsWith(".failed", StringComparison.Ordinal)) return WebhookOutcome.Ignored;

        Guid operationId, authorizationId, accountId;
        string kind, status, currency, authorizationStatus;
        long amount, authHeld;
        await using (var command = Sql.Command(tx.Connection!, tx, """
            select o.operation_id, o.authorization_id, o.account_id, o.kind, o.status, o.amount, o.currency, a.held_amount, a.status
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id
            where o.processor_operation_id = $1
            for update of o, a
            """, data.OperationId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return WebhookOutcome.NotYetKnown;
            (operationId, authorizationId, accountId, kind, status, amount, currency, authHeld, authorizationStatus) = (reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2),
                reader.GetString(3), reader.GetString(4), reader.GetInt64(5), reader.GetString(6), reader.GetInt64(7), reader.GetString(8));
        }
        if (status is "succeeded" or "failed") return WebhookOutcome.Ignored;

        var now = time.GetUtcNow();
        await Sql.ExecuteAsync(tx.Connection!, tx, "update core.card_operations set status = $2, failure_reason = $3, completed_at = $4 where operation_id = $1",
            cancellationToken, operationId, succeeded ? "succeeded" : "failed", data.FailureReason, now);
        if (succeeded)
        {
            switch (kind)
            {
                case "capture":
                    // Normally the whole amount comes off the hold; if the hold already expired, the purchase still posts.
                    var release = Math.Min(authHeld, amount);
                    await Sql.ExecuteAsync(tx.Connection!, tx, """
                        update core.authorizations set captured_amount = captured_amount + $2, held_amount = held_amount - $3 where authorization_id = $1
                        """, cancellationToken, authorizationId, amount, release);
                    await ledger.PostPurchaseAsync(tx, accountId, authorizationId, operationId, amount, release, currency, "Purchase posted", cancellationToken);
                    break;
                case "refund":
                    await ledger.PostRefundAsync(tx, accountId, authorizationId, operationId, amount, currency, "Refund posted", cancellationToken);
                    break;
                case "void":
                    await Sql.ExecuteAsync(tx.Connection!, tx, "update core.authorizations set status = 'voided', held_amount = 0 where authorization_id = $1",
                        cancellationToken, authorizationId);
                    await ledger.ReleaseHoldAsync(tx, accountId, authorizationId, operationId, authHeld, currency, "Hold released: voided", cancellationToken);
                    break;
                // A reversal settles an authorization whose hold was already released when it was declined or expired.
            }
        }
        var details = new Dictionary<string, object?>
        {
            ["operationId"] = operationId, ["amount"] = amount, ["currency"] = currency, ["processorOperationId"] = data.OperationId,
            ["webhookId"] = envelope.Id, ["failureReason"] = data.FailureReason,
        };
        if (kind == "reversal" && succeeded)
        {
            // Only now, with the processor's confirmation, is the approval it held undone.
            details["outcome"] = authorizationStatus == "expired" ? "expired hold voided" : "late approval reversed";
        }

        var eventType = kind switch
        {
            "capture" => succeeded ? "capture.settled" : "capture.failed",
            "refund" => succeeded ? "refund.settled" : "refund.failed",
            "void" => succeeded ? "authorization.voided" : "void.failed",
            _ => succeeded ? "authorization.reversed" : "reversal.failed",
        };
        var parked = kind == "reversal" && !succeeded
            ? await reversals.AttemptFailedAsync(tx, authorizationId, accountId, amount, currency, data.FailureReason, cancellationToken)
            : null;
        // Audited last: no row lock may be taken once the audit chain's (global) lock is held.
        await audit.AppendAsync(FinancialAudit.Entry(eventType, FinancialAudit.ProcessorWebhook, null, "authorization", authorizationId,
            details, succeeded ? AuditOutcome.Success : AuditOutcome.Failure), tx, cancellationToken);
        if (parked is not null) await audit.AppendAsync(parked, tx, cancellationToken);
        return WebhookOutcome.Applied;
    }

    private async Task<WebhookOutcome> ApplyCardEventAsync(NpgsqlTransaction tx, ProcessorWebhookEnvelope envelope, ProcessorCard data, CancellationToken cancellationToken)
    {
        if (CardStatuses.FromWebhook(envelope.Type) is not { } newStatus) return WebhookOutcome.Ignored;
        Guid cardId;
        string current;
        await using (var command = Sql.Command(tx.Connection!, tx, "select card_id, status from core.cards where processor_card_token = $1 for update", data.CardToken))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return WebhookOutcome.NotYetKnown;
            (cardId, current) = (reader.GetGuid(0), reader.GetString(1));
        }
        if (CardStatuses.Rank(newStatus) <= CardStatuses.Rank(current)) return WebhookOutcome.Ignored;
        await Sql.ExecuteAsync(tx.Connection!, tx, "update core.cards set status = $2, updated_at = $3 where card_id = $1", cancellationToken, cardId, newStatus, time.GetUtcNow());
        await audit.AppendAsync(FinancialAudit.Entry(envelope.Type, FinancialAudit.ProcessorWebhook, null, "card", cardId,
            new Dictionary<string, object?> { ["status"] = newStatus, ["previousStatus"] = current, ["webhookId"] = envelope.Id },
            newStatus == "failed" ? AuditOutcome.Failure : AuditOutcome.Success), tx, cancellationToken);
        return WebhookOutcome.Applied;
    }
}
