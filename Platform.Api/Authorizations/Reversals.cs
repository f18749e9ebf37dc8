using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Outbox;
using Platform.Data.Queues;

namespace Platform.Api.Authorizations;

/// <summary>
/// A reversal voids at the processor an approval the platform does not keep: a late approval of an authorization the
/// platform declined (timeout, abandoned), or an expired hold. It is open until the processor confirms a void. Each
/// attempt is a <c>reversal</c> operation with its own id (and so its own idempotency key at the processor); an attempt
/// the processor refuses or fails is followed, in the same transaction, by the next one after a capped backoff, and
/// after <see cref="AuthorizationOptions.ReversalMaxAttempts"/> the reversal waits for an operator (reconciliation
/// lists it, <see cref="ReversalMonitor"/> counts it, <c>POST /v1/reconciliation/reversals/{id}/retry</c> tries again).
/// An authorization has at most one attempt open at any time.
/// </summary>
public sealed class Reversals(OutboxStore outbox, IAuditTrail audit, IOptions<AuthorizationOptions> options, TimeProvider time)
{
    /// <summary>Attempt n of an authorization's reversal always has the same id, so a re-run of whatever starts it adds nothing.</summary>
    public static Guid AttemptId(Guid authorizationId, int attempt)
    {
        var name = attempt == 1 ? "reversal:" + authorizationId : $"reversal:{authorizationId}:{attempt}";
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16));
    }

    /// <summary>After the transaction that queued an attempt commits: this instance's outbox worker takes it at once.</summary>
    public void Wake() => outbox.Wake();

    /// <summary>Records the first attempt and queues it for the processor. False when it was already there (nothing added).</summary>
    public Task<bool> StartAsync(NpgsqlTransaction tx, Guid authorizationId, Guid accountId, long amount, string currency, CancellationToken cancellationToken) =>
        AddAttemptAsync(tx, authorizationId, accountId, amount, currency, 1, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// Called in the transaction that marks an attempt failed: queues the next attempt after the backoff, or, when the
    /// attempts are used up, returns the <c>reversal.needs_attention</c> audit entry for the caller to append (last,
    /// with its own entries: no row lock may be taken once the audit chain's lock is held). Null when retrying.
    /// </summary>
    public async Task<AuditEntry?> AttemptFailedAsync(NpgsqlTransaction tx, Guid authorizationId, Guid accountId, long amount, string currency, string? reason,
        CancellationToken cancellationToken)
    {
        var attempts = await CountAttemptsAsync(tx, authorizationId, cancellationToken);
        var o = options.Value;
        if (attempts >= o.ReversalMaxAttempts)
        {
            return FinancialAudit.Entry("reversal.needs_attention", FinancialAudit.Worker, null, "authorization", authorizationId,
                new Dictionary<string, object?> { ["attempts"] = attempts, ["lastFailure"] = reason, ["amount"] = amount, ["currency"] = currency }, AuditOutcome.Failure);
        }
        // The schedule every durable worker retries on; the attempts themselves are operations the outbox delivers.
        var delay = Backoff.FromMilliseconds(o.ReversalRetryBaseMs, o.ReversalRetryMaxMs).After(attempts);
        await AddAttemptAsync(tx, authorizationId, accountId, amount, currency, attempts + 1, delay, cancellationToken);
        return null;
    }

    /// <summary>
    /// An operator's retry of a reversal that ran out of attempts: one more attempt, now. Null when the authorization
    /// has no reversal waiting for an operator (none, one in flight, or already settled).
    /// </summary>
    public async Task<OperationResponse?> RetryAsync(NpgsqlTransaction tx, Guid authorizationId, AuditActor actor, AuditOrigin origin, CancellationToken cancellationToken)
    {
        // The authorization's row lock serializes two operators pressing retry at once.
        if (await tx.Connection!.ExecuteScalarAsync<int?>(new CommandDefinition("select 1 from core.authorizations where authorization_id = @authorizationId for update",
                new { authorizationId }, tx, cancellationToken: cancellationToken)) is null)
            return null;
        var reversal = await tx.Connection!.QuerySingleOrDefaultAsync<ReversalAttempts>(new CommandDefinition($"""
            select account_id, max(amount) as amount, currency, count(*) as attempts, {ReversalAttention.AllAttemptsFailed} as all_failed
            from core.card_operations o where authorization_id = @authorizationId and kind = 'reversal'
            group by account_id, currency
            """, new { authorizationId }, tx, cancellationToken: cancellationToken));
        if (reversal is not { AllFailed: true }) return null;
        var (accountId, amount, currency, attempts) = (reversal.AccountId, reversal.Amount, reversal.Currency, (int)reversal.Attempts);
        await AddAttemptAsync(tx, authorizationId, accountId, amount, currency, attempts + 1, TimeSpan.Zero, cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry("reversal.retry_requested", actor, origin, "authorization", authorizationId,
            new Dictionary<string, object?> { ["attempt"] = attempts + 1, ["operationId"] = AttemptId(authorizationId, attempts + 1) }), tx, cancellationToken);
        var now = PostgresTime.Truncate(time.GetUtcNow());
        return new OperationResponse(AttemptId(authorizationId, attempts + 1), OperationKind.Reversal.Db(), authorizationId, amount, currency,
            OperationStatus.Requested.Db(), null, null, now, null);
    }

    private sealed record ReversalAttempts(Guid AccountId, long Amount, string Currency, long Attempts, bool AllFailed);

    private async Task<bool> AddAttemptAsync(NpgsqlTransaction tx, Guid authorizationId, Guid accountId, long amount, string currency, int attempt, TimeSpan delay,
        CancellationToken cancellationToken)
    {
        var operationId = AttemptId(authorizationId, attempt);
        var inserted = await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, status, created_at)
            values (@operationId, @authorizationId, @accountId, 'reversal', @amount, @currency, 'requested', @now)
            on conflict (operation_id) do nothing
            """, new { operationId, authorizationId, accountId, amount, currency, now = time.GetUtcNow() }, tx, cancellationToken: cancellationToken)) == 1;
        if (inserted) await outbox.EnqueueAsync(tx, CardOperations.SubmitOutboxKind, operationId, null, cancellationToken, delay);
        return inserted;
    }

    private static async Task<int> CountAttemptsAsync(NpgsqlTransaction tx, Guid authorizationId, CancellationToken cancellationToken) =>
        (int)await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from core.card_operations where authorization_id = @authorizationId and kind = 'reversal'",
            new { authorizationId }, tx, cancellationToken: cancellationToken));
}
