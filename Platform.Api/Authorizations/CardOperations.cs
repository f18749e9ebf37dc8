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

    private sealed record AuthorizationState(Guid AccountId, string Status, long ApprovedAmount, string Currency, string? ProcessorId,
        long CaptureCommitted, bool HasVoid);

    public Task<OperationRequestResult> CaptureAsync(Guid authorizationId, AmountRequest request, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("capture:" + authorizationId, request, key, async tx =>
        {
            if (await LockAuthorizationAsync(tx, authorizationId, cancellationToken) is not { } auth) return new OperationRequestResult.NotFound();
            if (auth.Status != "approved" || auth.HasVoid)
                return new OperationRequestResult.Conflict("Not capturable", $"The authorization is {(auth.HasVoid ? "voided or being voided" : auth.Status)}; only an approved authorization can be captured.");
            var capturable = auth.ApprovedAmount - auth.CaptureCommitted;
            var amount = request.Amount ?? capturable;
            if (amount <= 0 || amount > capturable)
                return new OperationRequestResult.Conflict("Amount exceeds what can be captured", $"{capturable} minor units can still be captured.");
            return await RecordAsync(tx, "capture", authorizationId, auth, amount, null, actor, origin, cancellationToken);
        }, cancellationToken);

    public Task<OperationRequestResult> VoidAsync(Guid authorizationId, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("void:" + authorizationId, new AmountRequest(null), key, async tx =>
        {
            if (await LockAuthorizationAsync(tx, authorizationId, cancellationToken) is not { } auth) return new OperationRequestResult.NotFound();
            if (auth.Status != "approved" || auth.HasVoid)
                return new OperationRequestResult.Conflict("Not voidable", $"The authorization is {(auth.HasVoid ? "voided or being voided" : auth.Status)}.");
            if (auth.CaptureCommitted > 0)
                return new OperationRequestResult.Conflict("Already captured", "An authorization with a capture cannot be voided; refund the captured transaction instead.");
            return await RecordAsync(tx, "void", authorizationId, auth, auth.ApprovedAmount, null, actor, origin, cancellationToken);
        }, cancellationToken);

    /// <param name="transactionId">The posted purchase: a succeeded capture's operation id.</param>
    public Task<OperationRequestResult> RefundAsync(Guid transactionId, AmountRequest request, string? key, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken) =>
        RunAsync("refund:" + transactionId, request, key, async tx =>
        {
            // Lock the purchase first, then sum its refunds in a later statement: a statement that waited for the lock
            // would otherwise still see the sums from before the wait (READ COMMITTED snapshots per statement).
            await using (var lockPurchase = Sql.Command(tx.Connection!, tx, "select 1 from core.card_operations where operation_id = $1 for update", transactionId))
            {
                if (await lockPurchase.ExecuteScalarAsync(cancellationToken) is null) return new OperationRequestResult.NotFound();
            }
            await using var command = Sql.Command(tx.Connection!, tx, """
                select o.authorization_id, o.amount, o.status, o.kind,
                    coalesce((select sum(r.amount) from core.card_operations r where r.refunded_operation_id = o.operation_id and r.status <> 'failed'), 0)
                from core.card_operations o where o.operation_id = $1
                """, transactionId);
            Guid authorizationId;
            long captured, refunded;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken) || reader.GetString(3) != "capture") return new OperationRequestResult.NotFound();
                if (reader.GetString(2) != "succeeded")
                    return new OperationRequestResult.Conflict("Not posted yet", "Only a posted purchase (a settled capture) can be refunded.");
                (authorizationId, captured, refunded) = (reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(4));
            }
            var auth = (await LockAuthorizationAsync(tx, authorizationId, cancellationToken))!;
            var refundable = captured - refunded;
            var amount = request.Amount ?? refundable;
            if (amount <= 0 || amount > refundable)
                return new OperationRequestResult.Conflict("Amount exceeds what can be refunded", $"{refundable} minor units of this purchase can still be refunded.");
            return await RecordAsync(tx, "refund", authorizationId, auth, amount, transactionId, actor, origin, cancellationToken);
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

    private async Task<OperationRequestResult> RecordAsync(NpgsqlTransaction tx, string kind, Guid authorizationId, AuthorizationState auth, long amount,
        Guid? refundOf, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var operationId = Guid.CreateVersion7(now);
        await Sql.ExecuteAsync(tx.Connection!, tx, """
            insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, refunded_operation_id, status, created_at)
            values ($1, $2, $3, $4, $5, $6, $7, 'requested', $8)
            """, cancellationToken, operationId, authorizationId, auth.AccountId, kind, amount, auth.Currency, refundOf, now);
        await outbox.EnqueueAsync(tx, SubmitOutboxKind, operationId, null, cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry($"{kind}.requested", actor, origin, "authorization", authorizationId,
            new Dictionary<string, object?> { ["operationId"] = operationId, ["amount"] = amount, ["currency"] = auth.Currency, ["refundOf"] = refundOf }), tx, cancellationToken);
        return new OperationRequestResult.Accepted(new OperationResponse(operationId, kind, authorizationId, amount, auth.Currency, "requested", refundOf, null,
            PostgresTime.Truncate(now), null));
    }

    private static async Task<AuthorizationState?> LockAuthorizationAsync(NpgsqlTransaction tx, Guid authorizationId, CancellationToken cancellationToken)
    {
        // The row lock serializes concurrent requests on one authorization. The sums are read by a second statement,
        // which (READ COMMITTED) sees everything committed while this one waited for the lock.
        await using (var lockRow = Sql.Command(tx.Connection!, tx, "select 1 from core.authorizations where authorization_id = $1 for update", authorizationId))
        {
            if (await lockRow.ExecuteScalarAsync(cancellationToken) is null) return null;
        }
        await using var command = Sql.Command(tx.Connection!, tx, """
            select a.account_id, a.status, a.approved_amount, a.currency, a.processor_authorization_id,
                coalesce((select sum(o.amount) from core.card_operations o where o.authorization_id = a.authorization_id and o.kind = 'capture' and o.status <> 'failed'), 0),
                exists (select 1 from core.card_operations o where o.authorization_id = a.authorization_id and o.kind in ('void', 'reversal') and o.status <> 'failed')
            from core.authorizations a where a.authorization_id = $1
            """, authorizationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AuthorizationState(reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5), reader.GetBoolean(6))
            : null;
    }
}
