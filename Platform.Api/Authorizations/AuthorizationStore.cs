using Dapper;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Idempotency;
using Platform.Api.Ledger;

namespace Platform.Api.Authorizations;

/// <summary>
/// The SQL of an authorization's own row: the hot path's statements (each phase's work in one round trip) and the
/// reads of the sweeps and of <c>GET /v1/authorizations/{id}</c>.
/// </summary>
public sealed class AuthorizationStore(TimeProvider time)
{
    private sealed record KeyAndCardRow(string? RequestHash, int? StatusCode, string? Response, Guid? CardId, Guid? AccountId, string? CardStatus,
        string? ProcessorCardToken, string? AccountCurrency, string? AccountStatus, string? OwnerReference, string? CardLast4, long? LargePurchaseThreshold,
        bool? FraudDeclineAlerts, long? Available);

    /// <summary>One round trip: an earlier answer under the caller's key, and the card with its account (and its available credit), owner and alert settings.</summary>
    public async Task<(StoredIdempotentResponse? Earlier, CardFacts? Card)> ReadKeyAndCardAsync(NpgsqlConnection connection, Guid cardId, string scope, string key,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleAsync<KeyAndCardRow>(new CommandDefinition("""
            select k.request_hash, k.status_code, k.response,
                   c.card_id, c.account_id, c.status as card_status, c.processor_card_token, a.currency as account_currency, a.status as account_status,
                   a.owner_reference, c.last4 as card_last4, r.large_purchase_threshold, r.fraud_decline_alerts,
                   a.credit_limit - a.held_amount - a.posted_balance as available
            from (select 1) one
            left join core.idempotency_keys k on k.scope = @scope and k.idempotency_key = @key
            left join core.cards c on c.card_id = @cardId
            left join core.accounts a on a.account_id = c.account_id
            left join core.alert_rules r on r.account_id = c.account_id
            """, new { cardId, scope, key }, cancellationToken: cancellationToken));
        var earlier = row.RequestHash is null ? null : new StoredIdempotentResponse(row.RequestHash, row.StatusCode!.Value, row.Response);
        var card = row.CardId is not { } id ? null
            : new CardFacts(id, row.AccountId!.Value, row.CardStatus!, row.ProcessorCardToken, row.AccountCurrency!, row.AccountStatus!, row.OwnerReference,
                new CardAlertSettings(row.CardLast4, row.LargePurchaseThreshold, row.FraudDeclineAlerts), row.Available!.Value);
        return (earlier, card);
    }

    private sealed record ClaimRow(long Claimed, long? Available);

    /// <summary>
    /// Claims the key, inserts the pending row and holds the credit in one statement (the row goes in first: postings
    /// refer to it; the hold only if the credit is there, by <see cref="LedgerPostings"/>'s conditional update).
    /// Null available credit: claimed, but the credit was not there (the row is pending, nothing held).
    /// </summary>
    public async Task<(bool Claimed, long? Available)> ClaimInsertAndHoldAsync(NpgsqlTransaction tx, PendingAuthorization row, string requestHash,
        AuthorizationVerdict.Hold hold, CancellationToken cancellationToken)
    {
        var result = await tx.Connection!.QuerySingleAsync<ClaimRow>(new CommandDefinition($"""
            with {IdempotencyStore.ClaimCte},
            inserted as (
                insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country,
                    status, held_amount, fraud_check, fraud_action, fraud_score, idempotency_scope, idempotency_key, created_at)
                select @id, @account, @card, @amount, @currency, @merchant_name, @merchant_mcc, @merchant_country,
                    'pending', @amount, @fraud_check, @fraud_action, @fraud_score, @claim_scope, @claim_key, @now
                where exists (select 1 from claim)
                returning 1),
            {LedgerPostings.HoldCte("exists (select 1 from inserted)")}
            select (select count(*) from claim) as claimed, (select available from hold) as available
            """, new
        {
            claim_scope = row.IdempotencyScope, claim_key = row.IdempotencyKey, claim_hash = requestHash,
            hold_account = row.AccountId, hold_amount = hold.Amount, hold_currency = row.Currency, hold_authorization = row.Id, hold_description = hold.Description,
            now = time.GetUtcNow(), id = row.Id, account = row.AccountId, card = row.CardId, amount = row.Amount, currency = row.Currency,
            merchant_name = row.MerchantName, merchant_mcc = row.MerchantMcc, merchant_country = row.MerchantCountry,
            fraud_check = row.Fraud?.Check, fraud_action = row.Fraud?.Action, fraud_score = row.Fraud?.Score,
        }, tx, cancellationToken: cancellationToken));
        return (result.Claimed == 1, result.Available);
    }

    /// <summary>
    /// Claims the key with its answer already stored, inserts the row of an authorization declined before anything was
    /// held, already decided, and appends its audit event, in one statement: the usual answer under overload costs one
    /// round trip and the commit. False when another request owns the key (nothing written).
    /// </summary>
    public async Task<bool> ClaimAndInsertDeclinedAsync(NpgsqlTransaction tx, PendingAuthorization row, string requestHash, DeclineReason reason,
        DateTimeOffset now, string answer, PreparedAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new
        {
            claim_scope = row.IdempotencyScope, claim_key = row.IdempotencyKey, claim_hash = requestHash, claim_status = StatusCodes.Status200OK,
            claim_response = answer, now,
            id = row.Id, account = row.AccountId, card = row.CardId, amount = row.Amount, currency = row.Currency,
            merchant_name = row.MerchantName, merchant_mcc = row.MerchantMcc, merchant_country = row.MerchantCountry,
            response_code = reason.ResponseCode, decline_reason = reason.Code,
            fraud_check = row.Fraud?.Check, fraud_action = row.Fraud?.Action, fraud_score = row.Fraud?.Score,
        });
        auditEvent.AddTo(parameters);
        return await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition($"""
            with {IdempotencyStore.ClaimAnsweredCte},
            inserted as (
                insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country,
                    status, held_amount, response_code, decline_reason, decided_at, fraud_check, fraud_action, fraud_score, idempotency_scope, idempotency_key,
                    created_at)
                select @id, @account, @card, @amount, @currency, @merchant_name, @merchant_mcc, @merchant_country,
                    'declined', 0, @response_code, @decline_reason, @now, @fraud_check, @fraud_action, @fraud_score, @claim_scope, @claim_key, @now
                where exists (select 1 from claim)
                returning 1),
            {PreparedAuditEvent.InsertCte("exists (select 1 from inserted)")}
            select count(*) from audited
            """, parameters, tx, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Locks the row for its decision; false when it is no longer pending (the abandoned-authorization sweep settled it first).</summary>
    public async Task<bool> LockPendingAsync(NpgsqlTransaction tx, Guid authorizationId, CancellationToken cancellationToken) =>
        await tx.Connection!.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select 1 from core.authorizations where authorization_id = @authorizationId and status = 'pending' for update",
            new { authorizationId }, tx, cancellationToken: cancellationToken)) is not null;

    /// <summary>
    /// Marks the pending row approved, gives back what a partial approval leaves unused, stores the answer under the
    /// key and appends the audit event, in one statement; false when the row is no longer pending (the
    /// abandoned-authorization sweep settled it first) and nothing was written.
    /// </summary>
    public async Task<bool> TryApproveAsync(NpgsqlTransaction tx, PendingAuthorization row, AuthorizationVerdict.Approve approve, DateTimeOffset now,
        DateTimeOffset expires, string answer, PreparedAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new
        {
            id = row.Id, account = row.AccountId, approved = approve.ApprovedAmount, unused = approve.Unused, code = approve.ResponseCode,
            processor_id = approve.ProcessorAuthorizationId, currency = row.Currency, now, expires,
            answer_scope = row.IdempotencyScope, answer_key = row.IdempotencyKey, answer_status = StatusCodes.Status200OK, answer_response = answer,
        });
        auditEvent.AddTo(parameters);
        return await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition($"""
            with decided as (
                update core.authorizations set status = 'approved', approved_amount = @approved, held_amount = @approved, response_code = @code,
                    processor_authorization_id = @processor_id, decided_at = @now, expires_at = @expires
                where authorization_id = @id and status = 'pending'
                returning account_id),
            released as (
                update core.accounts set held_amount = held_amount - @unused, updated_at = @now
                where account_id = @account and @unused > 0 and exists (select 1 from decided)
                returning 1),
            release_posting as (
                insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
                select @account, 'hold_release', 'held', -@unused, @currency, @id, null, 'Hold reduced: partial approval', @now from released),
            {IdempotencyStore.AnsweredCte("exists (select 1 from decided)")},
            {PreparedAuditEvent.InsertCte("exists (select 1 from decided)")}
            select count(*) from decided
            """, parameters, tx, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Marks the row declined and gives back nothing itself (the caller released the hold first); the account's available credit after it.</summary>
    public Task<long> MarkDeclinedAsync(NpgsqlTransaction tx, PendingAuthorization row, DeclineReason reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition("""
            update core.authorizations set status = 'declined', held_amount = 0, response_code = @responseCode, decline_reason = @declineReason, decided_at = @now
            where authorization_id = @id
            returning (select credit_limit - held_amount - posted_balance from core.accounts where account_id = @accountId)
            """, new { id = row.Id, responseCode = reason.ResponseCode, declineReason = reason.Code, now, accountId = row.AccountId }, tx,
            cancellationToken: cancellationToken));

    /// <summary>Records the processor's id for an authorization it answered (declined, or approved late); the first id recorded stays.</summary>
    public Task<Guid?> SetProcessorIdAsync(NpgsqlTransaction tx, Guid authorizationId, string? processorAuthorizationId, CancellationToken cancellationToken) =>
        tx.Connection!.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            update core.authorizations set processor_authorization_id = coalesce(processor_authorization_id, @processorAuthorizationId)
            where authorization_id = @authorizationId returning account_id
            """, new { authorizationId, processorAuthorizationId }, tx, cancellationToken: cancellationToken));

    private sealed record PendingRow(Guid AuthorizationId, Guid AccountId, Guid CardId, long Amount, string Currency, string MerchantName, string MerchantMcc,
        string MerchantCountry, string IdempotencyScope, string IdempotencyKey, string? FraudCheck, string? FraudAction, int? FraudScore, string? ProcessorCardToken);

    /// <summary>Authorizations left pending since <paramref name="cutoff"/> by an instance that stopped mid-flight, locked (others skip them).</summary>
    public async Task<IReadOnlyList<PendingAuthorization>> LockAbandonedAsync(NpgsqlTransaction tx, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var rows = await tx.Connection!.QueryAsync<PendingRow>(new CommandDefinition("""
            select a.authorization_id, a.account_id, a.card_id, a.amount, a.currency, a.merchant_name, a.merchant_mcc, a.merchant_country,
                a.idempotency_scope, a.idempotency_key, a.fraud_check, a.fraud_action, a.fraud_score, c.processor_card_token
            from core.authorizations a join core.cards c on c.card_id = a.card_id
            where a.status = 'pending' and a.created_at <= @cutoff
            order by a.created_at limit 50
            for update of a skip locked
            """, new { cutoff }, tx, cancellationToken: cancellationToken));
        return rows.Select(r => new PendingAuthorization(r.AuthorizationId, r.AccountId, r.CardId, r.Amount, r.Currency, r.MerchantName, r.MerchantMcc,
            r.MerchantCountry, r.IdempotencyScope, r.IdempotencyKey,
            r.FraudCheck is null ? null : new FraudSummary(r.FraudCheck, r.FraudAction!, r.FraudScore), r.ProcessorCardToken, null)).ToList();
    }

    /// <summary>An approved hold past its expiry; <c>CaptureInFlight</c>: a capture or void on its way settles it itself.</summary>
    public sealed record ExpiredHold(Guid AuthorizationId, Guid AccountId, long HeldAmount, long CapturedAmount, string Currency, bool CaptureInFlight);

    public async Task<IReadOnlyList<ExpiredHold>> LockExpiredHoldsAsync(NpgsqlTransaction tx, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await tx.Connection!.QueryAsync<ExpiredHold>(new CommandDefinition("""
            select a.authorization_id, a.account_id, a.held_amount, a.captured_amount, a.currency,
                exists (select 1 from core.card_operations o where o.authorization_id = a.authorization_id and o.status in ('requested', 'submitted')) as capture_in_flight
            from core.authorizations a
            where a.held_amount > 0 and a.status = 'approved' and a.expires_at <= @now
            order by a.expires_at limit 50
            for update of a skip locked
            """, new { now }, tx, cancellationToken: cancellationToken))).AsList();

    /// <summary>An expired hold comes off the row: the authorization is expired when nothing was captured, else stays approved.</summary>
    public Task MarkHoldExpiredAsync(NpgsqlTransaction tx, Guid authorizationId, AuthorizationStatus status, CancellationToken cancellationToken) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition("update core.authorizations set held_amount = 0, status = @status where authorization_id = @authorizationId",
            new { authorizationId, status = status.Db() }, tx, cancellationToken: cancellationToken));

    private sealed record DetailsRow(Guid AuthorizationId, Guid CardId, Guid AccountId, string Status, long Amount, long ApprovedAmount, long HeldAmount,
        long CapturedAmount, string Currency, string? ResponseCode, string? DeclineReason, string MerchantName, string MerchantMcc, string MerchantCountry,
        DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    private sealed record OperationRow(Guid OperationId, string Kind, Guid AuthorizationId, long Amount, string Currency, string Status, Guid? RefundedOperationId,
        string? FailureReason, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

    /// <summary>One authorization with the captures, voids, refunds and reversals made on it since, oldest first; null when there is none.</summary>
    public async Task<AuthorizationDetails?> GetDetailsAsync(NpgsqlConnection connection, Guid authorizationId, CancellationToken cancellationToken)
    {
        var operations = (await connection.QueryAsync<OperationRow>(new CommandDefinition("""
            select operation_id, kind, authorization_id, amount, currency, status, refunded_operation_id, failure_reason, created_at, completed_at
            from core.card_operations where authorization_id = @authorizationId order by created_at
            """, new { authorizationId }, cancellationToken: cancellationToken)))
            .Select(o => new OperationResponse(o.OperationId, o.Kind, o.AuthorizationId, o.Amount, o.Currency, o.Status, o.RefundedOperationId, o.FailureReason,
                o.CreatedAt, o.CompletedAt))
            .ToList();
        var a = await connection.QuerySingleOrDefaultAsync<DetailsRow>(new CommandDefinition("""
            select authorization_id, card_id, account_id, status, amount, approved_amount, held_amount, captured_amount, currency, response_code, decline_reason,
                merchant_name, merchant_mcc, merchant_country, created_at, expires_at
            from core.authorizations where authorization_id = @authorizationId
            """, new { authorizationId }, cancellationToken: cancellationToken));
        return a is null ? null
            : new AuthorizationDetails(a.AuthorizationId, a.CardId, a.AccountId, a.Status, a.Amount, a.ApprovedAmount, a.HeldAmount, a.CapturedAmount, a.Currency,
                a.ResponseCode, a.DeclineReason, new MerchantRequest(null, a.MerchantName, a.MerchantMcc, a.MerchantCountry), a.CreatedAt, a.ExpiresAt, operations);
    }
}
