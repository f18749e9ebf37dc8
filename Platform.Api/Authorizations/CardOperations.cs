using Dapper;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>What asking for a capture, void or refund came to.</summary>
public abstract record OperationRequestResult
{
    public sealed record Accepted(OperationResponse Operation) : OperationRequestResult;
    public sealed record Replay(IdempotentReplayResult Result) : OperationRequestResult;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : OperationRequestResult;
    public sealed record NotFound : OperationRequestResult;

    /// <summary>The request is well formed but the authorization's state does not allow it (409).</summary>
    public sealed record Conflict(string Title, string Detail) : OperationRequestResult;
}

/// <summary>
/// Capture, void and refund: each records the intent and its outbox message in one transaction and answers at once;
/// the outbox takes it to the processor and the processor's webhook settles it (<see cref="ProcessorWebhookApplier"/>).
/// The amount checks count operations still in flight, so two quick captures can never exceed what was approved.
/// </summary>
public sealed class CardOperations(NpgsqlDataSource dataSource, IdempotencyStore idempotency, OutboxStore outbox, IAuditTrail audit, TimeProvider time)
{
    public const string SubmitOutboxKind = "operation.submit";

    /// <remarks>The sums are numeric in PostgreSQL (a sum of bigint), so decimal here; they are whole minor units.</remarks>
    private sealed record AuthorizationState(Guid AccountId, AuthorizationStatus Status, long ApprovedAmount, string Currency, string? ProcessorAuthorizationId,
        decimal CaptureCommitted, bool HasVoid);

    public Task<OperationRequestResult> CaptureAsync(Guid authorizationId, AmountRequest request, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("capture:" + authorizationId, request, key, async tx =>
        {
            if (await LockAuthorizationAsync(tx, authorizationId, cancellationToken) is not { } auth) return new OperationRequestResult.NotFound();
            if (auth.Status != AuthorizationStatus.Approved || auth.HasVoid)
                return new OperationRequestResult.Conflict("Not capturable", $"The authorization is {(auth.HasVoid ? "voided or being voided" : auth.Status.Db())}; only an approved authorization can be captured.");
            var capturable = auth.ApprovedAmount - (long)auth.CaptureCommitted;
            var amount = request.Amount ?? capturable;
            if (amount <= 0 || amount > capturable)
                return new OperationRequestResult.Conflict("Amount exceeds what can be captured", $"{capturable} minor units can still be captured.");
            return await RecordAsync(tx, OperationKind.Capture, authorizationId, auth, amount, null, actor, origin, cancellationToken);
        }, cancellationToken);

    public Task<OperationRequestResult> VoidAsync(Guid authorizationId, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("void:" + authorizationId, new AmountRequest(null), key, async tx =>
        {
            if (await LockAuthorizationAsync(tx, authorizationId, cancellationToken) is not { } auth) return new OperationRequestResult.NotFound();
            if (auth.Status != AuthorizationStatus.Approved || auth.HasVoid)
                return new OperationRequestResult.Conflict("Not voidable", $"The authorization is {(auth.HasVoid ? "voided or being voided" : auth.Status.Db())}.");
            if (auth.CaptureCommitted > 0)
                return new OperationRequestResult.Conflict("Already captured", "An authorization with a capture cannot be voided; refund the captured transaction instead.");
            return await RecordAsync(tx, OperationKind.Void, authorizationId, auth, auth.ApprovedAmount, null, actor, origin, cancellationToken);
        }, cancellationToken);

    /// <param name="transactionId">The posted purchase: a succeeded capture's operation id.</param>
    public Task<OperationRequestResult> RefundAsync(Guid transactionId, AmountRequest request, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("refund:" + transactionId, request, key, async tx =>
        {
            // Lock the purchase first, then sum its refunds in a later statement: a statement that waited for the lock
            // would otherwise still see the sums from before the wait (READ COMMITTED snapshots per statement).
            if (await tx.Connection!.ExecuteScalarAsync<int?>(new CommandDefinition("select 1 from core.card_operations where operation_id = @transactionId for update",
                    new { transactionId }, tx, cancellationToken: cancellationToken)) is null)
                return new OperationRequestResult.NotFound();
            var purchase = await tx.Connection!.QuerySingleOrDefaultAsync<PurchaseState>(new CommandDefinition("""
                select o.authorization_id, o.amount, o.status, o.kind,
                    coalesce((select sum(r.amount) from core.card_operations r where r.refunded_operation_id = o.operation_id and r.status <> 'failed'), 0) as refunded
                from core.card_operations o where o.operation_id = @transactionId
                """, new { transactionId }, tx, cancellationToken: cancellationToken));
            if (purchase is not { Kind: OperationKind.Capture }) return new OperationRequestResult.NotFound();
            if (purchase.Status != OperationStatus.Succeeded)
                return new OperationRequestResult.Conflict("Not posted yet", "Only a posted purchase (a settled capture) can be refunded.");
            var (authorizationId, captured, refunded) = (purchase.AuthorizationId, purchase.Amount, (long)purchase.Refunded);
            var auth = (await LockAuthorizationAsync(tx, authorizationId, cancellationToken))!;
            var refundable = captured - refunded;
            var amount = request.Amount ?? refundable;
            if (amount <= 0 || amount > refundable)
                return new OperationRequestResult.Conflict("Amount exceeds what can be refunded", $"{refundable} minor units of this purchase can still be refunded.");
            return await RecordAsync(tx, OperationKind.Refund, authorizationId, auth, amount, transactionId, actor, origin, cancellationToken);
        }, cancellationToken);

    private async Task<OperationRequestResult> RunAsync(string scope, AmountRequest request, string? key,
        Func<NpgsqlTransaction, Task<OperationRequestResult>> work, CancellationToken cancellationToken)
    {
        var errors = IdempotencyStore.ValidateKey(key) ?? [];
        if (request.Amount is <= 0) errors["amount"] = ["Must be a positive number of minor units, or omitted for the whole remaining amount."];
        if (errors.Count > 0) return new OperationRequestResult.Invalid(errors);
        var hash = IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.AmountRequest);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await idempotency.TryClaimAsync(tx, scope, key!, hash, cancellationToken))
        {
            await tx.RollbackAsync(cancellationToken);
            return new OperationRequestResult.Replay(new IdempotentReplayResult((await idempotency.FindAsync(connection, null, scope, key!, cancellationToken))!, hash));
        }
        var result = await work(tx);
        if (result is not OperationRequestResult.Accepted accepted)
        {
            // Refusals leave nothing behind, the key included, so the caller can correct the request and retry with it.
            await tx.RollbackAsync(cancellationToken);
            return result;
        }
        await idempotency.CompleteAsync(tx, scope, key!, 202, accepted.Operation, MoneyJsonContext.Default.OperationResponse, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        outbox.Wake();
        return result;
    }

    private sealed record PurchaseState(Guid AuthorizationId, long Amount, OperationStatus Status, OperationKind Kind, decimal Refunded);

    private async Task<OperationRequestResult> RecordAsync(NpgsqlTransaction tx, OperationKind kind, Guid authorizationId, AuthorizationState auth, long amount,
        Guid? refundOf, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var operationId = Guid.CreateVersion7(now);
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, refunded_operation_id, status, created_at)
            values (@operationId, @authorizationId, @accountId, @kind, @amount, @currency, @refundOf, 'requested', @now)
            """, new { operationId, authorizationId, accountId = auth.AccountId, kind = kind.Db(), amount, currency = auth.Currency, refundOf, now }, tx,
            cancellationToken: cancellationToken));
        await outbox.EnqueueAsync(tx, SubmitOutboxKind, operationId, null, cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry($"{kind.Db()}.requested", actor, origin, "authorization", authorizationId,
            new Dictionary<string, object?> { ["operationId"] = operationId, ["amount"] = amount, ["currency"] = auth.Currency, ["refundOf"] = refundOf }), tx, cancellationToken);
        return new OperationRequestResult.Accepted(new OperationResponse(operationId, kind.Db(), authorizationId, amount, auth.Currency, OperationStatus.Requested.Db(), refundOf, null,
            PostgresTime.Truncate(now), null));
    }

    private static async Task<AuthorizationState?> LockAuthorizationAsync(NpgsqlTransaction tx, Guid authorizationId, CancellationToken cancellationToken)
    {
        // The row lock serializes concurrent requests on one authorization. The sums are read by a second statement,
        // which (READ COMMITTED) sees everything committed while this one waited for the lock.
        if (await tx.Connection!.ExecuteScalarAsync<int?>(new CommandDefinition("select 1 from core.authorizations where authorization_id = @authorizationId for update",
                new { authorizationId }, tx, cancellationToken: cancellationToken)) is null)
            return null;
        return await tx.Connection!.QuerySingleOrDefaultAsync<AuthorizationState>(new CommandDefinition("""
            select a.account_id, a.status, a.approved_amount, a.currency, a.processor_authorization_id,
                coalesce((select sum(o.amount) from core.card_operations o where o.authorization_id = a.authorization_id and o.kind = 'capture' and o.status <> 'failed'), 0) as capture_committed,
                exists (select 1 from core.card_operations o where o.authorization_id = a.authorization_id and o.kind in ('void', 'reversal') and o.status <> 'failed') as has_void
            from core.authorizations a where a.authorization_id = @authorizationId
            """, new { authorizationId }, tx, cancellationToken: cancellationToken));
    }
}
