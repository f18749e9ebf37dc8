using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Cards;
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
        if (await connection.ExecuteAsync(new CommandDefinition(
                "insert into core.processed_webhooks (webhook_id, event_type, received_at) values (@webhookId, @eventType, @now) on conflict do nothing",
                new { webhookId = envelope.Id, eventType = envelope.Type, now = time.GetUtcNow() }, tx, cancellationToken: cancellationToken)) == 0)
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

        var operation = await tx.Connection!.QuerySingleOrDefaultAsync<SettlingOperation>(new CommandDefinition("""
            select o.operation_id, o.authorization_id, o.account_id, o.kind, o.status, o.amount, o.currency, a.held_amount as authorization_held,
                a.status as authorization_status
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id
            where o.processor_operation_id = @processorOperationId
            for update of o, a
            """, new { processorOperationId = data.OperationId }, tx, cancellationToken: cancellationToken));
        if (operation is null) return WebhookOutcome.NotYetKnown;
        var (operationId, authorizationId, accountId, kind, amount, currency, authHeld) = (operation.OperationId, operation.AuthorizationId, operation.AccountId,
            operation.Kind, operation.Amount, operation.Currency, operation.AuthorizationHeld);
        if (operation.Status is OperationStatus.Succeeded or OperationStatus.Failed) return WebhookOutcome.Ignored;

        var now = time.GetUtcNow();
        await tx.Connection!.ExecuteAsync(new CommandDefinition(
            "update core.card_operations set status = @status, failure_reason = @failureReason, completed_at = @now where operation_id = @operationId",
            new { operationId, status = (succeeded ? OperationStatus.Succeeded : OperationStatus.Failed).Db(), failureReason = data.FailureReason, now }, tx,
            cancellationToken: cancellationToken));
        if (succeeded)
        {
            switch (kind)
            {
                case OperationKind.Capture:
                    // Normally the whole amount comes off the hold; if the hold already expired, the purchase still posts.
                    var release = Math.Min(authHeld, amount);
                    await tx.Connection!.ExecuteAsync(new CommandDefinition("""
                        update core.authorizations set captured_amount = captured_amount + @amount, held_amount = held_amount - @release where authorization_id = @authorizationId
                        """, new { authorizationId, amount, release }, tx, cancellationToken: cancellationToken));
                    await ledger.PostPurchaseAsync(tx, accountId, authorizationId, operationId, amount, release, currency, "Purchase posted", cancellationToken);
                    break;
                case OperationKind.Refund:
                    await ledger.PostRefundAsync(tx, accountId, authorizationId, operationId, amount, currency, "Refund posted", cancellationToken);
                    break;
                case OperationKind.Void:
                    await tx.Connection!.ExecuteAsync(new CommandDefinition(
                        "update core.authorizations set status = 'voided', held_amount = 0 where authorization_id = @authorizationId",
                        new { authorizationId }, tx, cancellationToken: cancellationToken));
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
        if (kind == OperationKind.Reversal && succeeded)
        {
            // Only now, with the processor's confirmation, is the approval it held undone.
            details["outcome"] = operation.AuthorizationStatus == AuthorizationStatus.Expired ? "expired hold voided" : "late approval reversed";
        }

        var eventType = kind switch
        {
            OperationKind.Capture => succeeded ? "capture.settled" : "capture.failed",
            OperationKind.Refund => succeeded ? "refund.settled" : "refund.failed",
            OperationKind.Void => succeeded ? "authorization.voided" : "void.failed",
            _ => succeeded ? "authorization.reversed" : "reversal.failed",
        };
        var parked = kind == OperationKind.Reversal && !succeeded
            ? await reversals.AttemptFailedAsync(tx, authorizationId, accountId, amount, currency, data.FailureReason, cancellationToken)
            : null;
        await audit.AppendAsync(FinancialAudit.Entry(eventType, FinancialAudit.ProcessorWebhook, null, "authorization", authorizationId,
            details, succeeded ? AuditOutcome.Success : AuditOutcome.Failure), tx, cancellationToken);
        if (parked is not null) await audit.AppendAsync(parked, tx, cancellationToken);
        return WebhookOutcome.Applied;
    }

    private async Task<WebhookOutcome> ApplyCardEventAsync(NpgsqlTransaction tx, ProcessorWebhookEnvelope envelope, ProcessorCard data, CancellationToken cancellationToken)
    {
        if (CardStatuses.FromWebhook(envelope.Type) is not { } newStatus) return WebhookOutcome.Ignored;
        var card = await tx.Connection!.QuerySingleOrDefaultAsync<CardRow>(new CommandDefinition(
            "select card_id, status from core.cards where processor_card_token = @cardToken for update",
            new { cardToken = data.CardToken }, tx, cancellationToken: cancellationToken));
        if (card is null) return WebhookOutcome.NotYetKnown;
        var (cardId, current) = (card.CardId, card.Status);
        if (CardStatuses.Rank(newStatus) <= CardStatuses.Rank(current)) return WebhookOutcome.Ignored;
        await tx.Connection!.ExecuteAsync(new CommandDefinition("update core.cards set status = @status, updated_at = @now where card_id = @cardId",
            new { cardId, status = newStatus, now = time.GetUtcNow() }, tx, cancellationToken: cancellationToken));
        await audit.AppendAsync(FinancialAudit.Entry(envelope.Type, FinancialAudit.ProcessorWebhook, null, "card", cardId,
            new Dictionary<string, object?> { ["status"] = newStatus, ["previousStatus"] = current, ["webhookId"] = envelope.Id },
            newStatus == "failed" ? AuditOutcome.Failure : AuditOutcome.Success), tx, cancellationToken);
        return WebhookOutcome.Applied;
    }

    private sealed record SettlingOperation(Guid OperationId, Guid AuthorizationId, Guid AccountId, OperationKind Kind, OperationStatus Status, long Amount,
        string Currency, long AuthorizationHeld, AuthorizationStatus AuthorizationStatus);

    private sealed record CardRow(Guid CardId, string Status);
}
