using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Integrations.Processor;
using Platform.Api.Ledger;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// The one way an authorization's decision is written, by the real-time path, the hold sweeper and the reverser alike:
/// the row, the ledger, the reversal it may need, the alert handlers, the answer stored under the idempotency key (so
/// a retry with the key replays exactly this answer, whoever decided it) and one audit event, all in the caller's
/// transaction.
/// </summary>
public sealed class AuthorizationRecorder(
    AuthorizationStore store, IdempotencyStore idempotency, LedgerPostings ledger, OutboxStore outbox, Reversals reversals, IAuditTrail audit,
    IEnumerable<IAuthorizationRecordedHandler> recordedHandlers, IOptions<AuthorizationOptions> options, TimeProvider time)
{
    public const string ReversalOutboxKind = "authorization.reversal";

    /// <summary>
    /// Approves the pending row (giving back what a partial approval leaves unused), with its stored answer and audit
    /// event in the same statement; null when it is no longer pending: the abandoned-authorization sweep settled it
    /// first, and nothing was written. The available credit answered is the account's right after this
    /// authorization's hold, plus what the partial approval gave back.
    /// </summary>
    public async Task<AuthorizationResponse?> TryApproveAsync(NpgsqlTransaction tx, PendingAuthorization row, AuthorizationVerdict.Approve approve,
        long availableAfterHold, AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var response = Response(row, AuthorizationStatus.Approved, approve.ApprovedAmount, approve.ResponseCode, null, availableAfterHold + approve.Unused, now);
        var auditEvent = audit.Prepare(AuditEntry(row, response, "authorization.approved", actor, origin, null));
        var answer = IdempotencyStore.StoredText(response, MoneyJsonContext.Default.AuthorizationResponse);
        if (!await store.TryApproveAsync(tx, row, approve, now, now.AddMinutes(options.Value.HoldExpiryMinutes), answer, auditEvent, cancellationToken)) return null;
        await NotifyHandlersAsync(tx, row, response, cancellationToken);
        return response;
    }

    /// <summary>
    /// Declines an authorization before anything was held or sent to the processor (busy, fraud, an unusable card): the
    /// key claimed with this answer, the row inserted already decided and the audit event, in one statement. Null when
    /// another request owns the key (nothing written). The usual answer under overload, so it is kept to that statement
    /// and the commit; the available credit it reports is phase 1's reading, as such a decline changes no balance.
    /// </summary>
    public async Task<AuthorizationResponse?> TryDeclineBeforeHoldAsync(NpgsqlTransaction tx, PendingAuthorization row, string requestHash,
        AuthorizationVerdict.Decline decline, long availableCredit, AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        if (decline.ReleaseHold is not null || decline.QueueReversal || decline.ProcessorAuthorizationId is not null)
            throw new ArgumentException("A decline before the hold has no hold to release and nothing at the processor.", nameof(decline));
        var now = time.GetUtcNow();
        var response = Response(row, AuthorizationStatus.Declined, 0, decline.Reason.ResponseCode, decline.Reason, availableCredit, now);
        var auditEvent = audit.Prepare(AuditEntry(row, response, "authorization.declined", actor, origin, decline.AuditDetails));
        var answer = IdempotencyStore.StoredText(response, MoneyJsonContext.Default.AuthorizationResponse);
        if (!await store.ClaimAndInsertDeclinedAsync(tx, row, requestHash, decline.Reason, now, answer, auditEvent, cancellationToken)) return null;
        await NotifyHandlersAsync(tx, row, response, cancellationToken);
        return response;
    }

    /// <summary>
    /// Declines a pending row: gives back the hold when the decline says so, queues the reversal when the processor may
    /// have approved it, and records the processor's id.
    /// </summary>
    /// <returns>The answer and whether a reversal was queued (wake the outbox once the transaction commits).</returns>
    public async Task<(AuthorizationResponse Response, bool ReversalQueued)> DeclineAsync(NpgsqlTransaction tx, PendingAuthorization row,
        AuthorizationVerdict.Decline decline, AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        if (decline.ProcessorAuthorizationId is not null) await store.SetProcessorIdAsync(tx, row.Id, decline.ProcessorAuthorizationId, cancellationToken);
        if (decline.ReleaseHold is not null)
            await ledger.ReleaseHoldAsync(tx, row.AccountId, row.Id, null, row.Amount, row.Currency, decline.ReleaseHold, cancellationToken);
        if (decline.QueueReversal)
        {
            await outbox.EnqueueAsync(tx, ReversalOutboxKind, row.Id,
                JsonSerializer.SerializeToElement(row.ProcessorRequest(), ProcessorJsonContext.Default.ProcessorAuthorizeRequest), cancellationToken);
        }
        var now = time.GetUtcNow();
        var available = await store.MarkDeclinedAsync(tx, row, decline.Reason, now, cancellationToken);
        var response = Response(row, AuthorizationStatus.Declined, 0, decline.Reason.ResponseCode, decline.Reason, available, now);
        await FinishAsync(tx, row, response, "authorization.declined", actor, origin, decline.AuditDetails, cancellationToken);
        return (response, decline.QueueReversal);
    }

    /// <summary>
    /// Releases an approved hold past its expiry (locked by the caller). Nothing captured: the authorization expires
    /// and a reversal voids it at the processor. False when a capture or void on its way settles it (nothing written).
    /// </summary>
    public async Task<bool> ExpireAsync(NpgsqlTransaction tx, AuthorizationStore.ExpiredHold hold, CancellationToken cancellationToken)
    {
        // Expiring under a capture or void in flight would release the credit twice.
        if (hold.CaptureInFlight) return false;
        var nothingCaptured = hold.CapturedAmount == 0;
        await store.MarkHoldExpiredAsync(tx, hold.AuthorizationId, nothingCaptured ? AuthorizationStatus.Expired : AuthorizationStatus.Approved, cancellationToken);
        await ledger.ReleaseHoldAsync(tx, hold.AccountId, hold.AuthorizationId, null, hold.HeldAmount, hold.Currency, "Hold expired", cancellationToken);
        Guid? reversalId = null;
        if (nothingCaptured)
        {
            // The processor still holds the approval: void it there, until it confirms (Reversals).
            await reversals.StartAsync(tx, hold.AuthorizationId, hold.AccountId, hold.HeldAmount, hold.Currency, cancellationToken);
            reversalId = Reversals.AttemptId(hold.AuthorizationId, 1);
        }
        await audit.AppendAsync(FinancialAudit.Entry("authorization.expired", FinancialAudit.Worker, null, "authorization", hold.AuthorizationId,
            new Dictionary<string, object?> { ["released"] = hold.HeldAmount, ["currency"] = hold.Currency, ["reversalOperationId"] = reversalId }), tx, cancellationToken);
        return true;
    }

    /// <summary>
    /// What repeating a timed-out authorization at the processor found, in its own transaction: the processor's id and,
    /// for a late approval, the reversal that voids it. A re-run (its completion lost) finds the reversal started and
    /// records nothing twice.
    /// </summary>
    public async Task RecordReversalCheckAsync(NpgsqlDataSource dataSource, Guid authorizationId, string? processorAuthorizationId,
        (long Amount, string Currency)? lateApproval, string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var accountId = await store.SetProcessorIdAsync(tx, authorizationId, processorAuthorizationId, cancellationToken);
        Guid? reversalId = null;
        if (lateApproval is { } late && accountId is { } account)
        {
            if (!await reversals.StartAsync(tx, authorizationId, account, late.Amount, late.Currency, cancellationToken))
            {
                await tx.RollbackAsync(cancellationToken);
                return;
            }
            reversalId = Reversals.AttemptId(authorizationId, 1);
        }
        await audit.AppendAsync(FinancialAudit.Entry("authorization.reversal", FinancialAudit.Worker, null, "authorization", authorizationId,
            new Dictionary<string, object?> { ["processorAuthorizationId"] = processorAuthorizationId, ["outcome"] = outcome, ["reversalOperationId"] = reversalId, ["accountId"] = accountId }),
            tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (reversalId is not null) reversals.Wake();
    }

    private async Task FinishAsync(NpgsqlTransaction tx, PendingAuthorization row, AuthorizationResponse response, string eventType, AuditActor actor,
        AuditOrigin? origin, IReadOnlyDictionary<string, object?>? extra, CancellationToken cancellationToken)
    {
        await NotifyHandlersAsync(tx, row, response, cancellationToken);
        await idempotency.CompleteAsync(tx, row.IdempotencyScope, row.IdempotencyKey, 200, response, MoneyJsonContext.Default.AuthorizationResponse, cancellationToken);
        await audit.AppendAsync(AuditEntry(row, response, eventType, actor, origin, extra), tx, cancellationToken);
    }

    private async Task NotifyHandlersAsync(NpgsqlTransaction tx, PendingAuthorization row, AuthorizationResponse response, CancellationToken cancellationToken)
    {
        var recorded = new RecordedAuthorization(response, row.MerchantName, row.MerchantMcc, row.MerchantCountry, row.Alerts);
        foreach (var handler in recordedHandlers) await handler.OnRecordedAsync(tx, recorded, cancellationToken);
    }

    private static AuditEntry AuditEntry(PendingAuthorization row, AuthorizationResponse response, string eventType, AuditActor actor, AuditOrigin? origin,
        IReadOnlyDictionary<string, object?>? extra)
    {
        var details = Details(row, response);
        foreach (var (name, value) in extra ?? new Dictionary<string, object?>()) details[name] = value;
        return FinancialAudit.Entry(eventType, actor, origin, "authorization", row.Id, details);
    }

    private static AuthorizationResponse Response(PendingAuthorization row, AuthorizationStatus status, long approved, string code, DeclineReason? reason,
        long available, DateTimeOffset now) =>
        new(row.Id, row.CardId, row.AccountId, status.Db(), row.Amount, approved, row.Currency, code, reason?.Code, reason?.Message, available, row.Fraud,
            PostgresTime.Truncate(now));

    private static Dictionary<string, object?> Details(PendingAuthorization row, AuthorizationResponse response) => new()
    {
        ["cardId"] = row.CardId,
        ["accountId"] = row.AccountId,
        ["amount"] = row.Amount,
        ["approvedAmount"] = response.ApprovedAmount,
        ["currency"] = row.Currency,
        ["merchant"] = row.MerchantName,
        ["mcc"] = row.MerchantMcc,
        ["responseCode"] = response.ResponseCode,
        ["declineReason"] = response.DeclineReason,
        ["fraudCheck"] = response.Fraud?.Check,
        ["fraudAction"] = response.Fraud?.Action,
        ["fraudScore"] = response.Fraud?.Score,
    };
}
