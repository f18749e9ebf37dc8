using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Integrations.Processor;
using Platform.Api.Ledger;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>What an authorization request came to.</summary>
public abstract record AuthorizeResult
{
    public sealed record Decided(AuthorizationResponse Response) : AuthorizeResult;
    public sealed record Replay(IdempotentReplayResult Result) : AuthorizeResult;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : AuthorizeResult;
    public sealed record CardNotFound : AuthorizeResult;
}

/// <summary>
/// The real-time path: idempotency → fraud score → credit reserved (committed, so no hold ever exists without its
/// authorization row) → processor → outcome, audit and the stored idempotent answer in one transaction. Whatever the
/// processor does, the hold is confirmed or released here; an answer that may still come after we gave up gets a
/// reversal through the outbox.
/// </summary>
public sealed partial class AuthorizationService(
    NpgsqlDataSource dataSource, IdempotencyStore idempotency, TransactionFraudClient fraud, ProcessorAuthorizationClient processor,
    LedgerPostings ledger, OutboxStore outbox, IAuditTrail audit, IOptions<AuthorizationOptions> options, TimeProvider time,
    AuthorizationAdmission admission, IEnumerable<IAuthorizationRecordedHandler> recordedHandlers, ILogger<AuthorizationService> logger)
{
    /// <summary>
    /// Keys are the caller's own: customer B's key never collides with customer A's, so an authorization is claimed
    /// under the caller's scope (and the sweep that may settle it later uses the scope stored with it).
    /// </summary>
    public static string IdempotencyScopeFor(AuditActor caller) => "authorize:" + caller.Id;
    public const string ReversalOutboxKind = "authorization.reversal";
    private static readonly ActivitySource Activity = new("Platform.Api.Authorizations");

    private sealed record CardInfo(Guid CardId, Guid AccountId, string CardStatus, string? Token, string AccountCurrency, string AccountStatus, string? Owner,
        CardAlertSettings Alerts);

    /// <param name="caller">Who asks: a customer may only use their own cards (anyone else's is answered as not found).</param>
    public async Task<AuthorizeResult> AuthorizeAsync(AuthorizeRequest request, string? idempotencyKey, AuditOrigin origin, AuditActor actor,
        System.Security.Claims.ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var budget = TimeSpan.FromMilliseconds(options.Value.BudgetMs);

        var errors = IdempotencyStore.ValidateKey(idempotencyKey) ?? AuthorizationValidation.Validate(request);
        if (errors.Count > 0) return new AuthorizeResult.Invalid(errors);
        var key = idempotencyKey!;
        var scope = IdempotencyScopeFor(actor);
        var requestHash = IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.AuthorizeRequest);

        // One round trip: an earlier answer under the caller's key, and the card with its account and owner.
        CardInfo? card;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var (earlier, found) = await ReadKeyAndCardAsync(connection, request.CardId!.Value, scope, key, cancellationToken);
            if (earlier is not null) return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier, requestHash));
            card = found;
        }
        if (card is null || !Identity.Ownership.Owns(caller, card.Owner)) return new AuthorizeResult.CardNotFound();
        if (card.AccountCurrency != request.Currency)
            return new AuthorizeResult.Invalid(new() { ["currency"] = [$"This card's account is in {card.AccountCurrency}."] });

        var authorizationId = Guid.CreateVersion7(time.GetUtcNow());
        var merchant = request.Merchant!;
        var amount = request.Amount!.Value;

        DeclineReason? early = card.AccountStatus != "open" ? DeclineReason.AccountNotOpen
            : card.CardStatus != "active" || card.Token is null ? DeclineReason.CardNotActive
            : null;
        // Past this instance's capacity: declined 91 now, recorded like any decline before the processor.
        var admitted = early is null && admission.TryEnter();
        if (early is null && !admitted) early = DeclineReason.PlatformBusy;
        try
        {
            FraudAssessment? assessment = null;
            if (early is null)
            {
                assessment = await fraud.ScoreAsync(new FraudTransactionRequest(authorizationId.ToString("N"), card.CardId.ToString("N"), amount, request.Currency!,
                    merchant.Id ?? merchant.Name!, merchant.Mcc!, merchant.Country!, "US", request.Channel ?? "pos"), cancellationToken);
                if (assessment.Action == FraudRecommendation.Decline) early = DeclineReason.SuspectedFraud;
            }

            var row = new AuthorizationRow(authorizationId, card.AccountId, card.CardId, amount, request.Currency!, merchant, scope, key, assessment, card.Alerts);
            long? availableAfterHold;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
            {
                bool claimed;
                if (early is null)
                {
                    // The usual path in one statement: claim the key, insert the pending row, hold the credit.
                    (claimed, availableAfterHold) = await ClaimInsertAndHoldAsync(tx, row, requestHash, cancellationToken);
                }
                else
                {
                    claimed = await idempotency.TryClaimAsync(tx, scope, key, requestHash, cancellationToken);
                    if (claimed) await InsertAsync(tx, row, "declined", 0, cancellationToken);
                    availableAfterHold = null;
                }
                if (!claimed)
                {
                    await tx.RollbackAsync(cancellationToken);
                    var earlier = await idempotency.FindAsync(connection, null, scope, key, cancellationToken);
                    return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier!, requestHash));
                }
                if (availableAfterHold is null)
                {
                    // Declined before the processor: the row, the audit event and the stored answer commit together.
                    var response = await DeclineAsync(tx, row, early ?? DeclineReason.InsufficientCredit, actor, origin, cancellationToken);
                    await tx.CommitAsync(cancellationToken);
                    return new AuthorizeResult.Decided(response);
                }
                await tx.CommitAsync(cancellationToken);
            }

            var processorRequest = new ProcessorAuthorizeRequest(card.Token!, amount, request.Currency!, new ProcessorMerchant(merchant.Name!, merchant.Mcc!, merchant.Country!));
            var remaining = budget - time.GetElapsedTime(started) - TimeSpan.FromMilliseconds(options.Value.RecordingReserveMs);
            var outcome = remaining < TimeSpan.FromMilliseconds(options.Value.MinimumProcessorBudgetMs)
                ? new ProcessorAuthorizeOutcome.NoAnswer("budget-exhausted", MayHaveBeenProcessed: false)
                : await processor.AuthorizeAsync(processorRequest, authorizationId.ToString(), remaining, cancellationToken);

            AuthorizationResponse decided;
            var reversalQueued = false;
            await using (var connection = await dataSource.OpenConnectionAsync(CancellationToken.None))
            await using (var tx = await connection.BeginTransactionAsync(CancellationToken.None))
            {
                // The outcome is recorded even if our caller has gone: a hold must never be left without a decision.
                var approval = outcome is ProcessorAuthorizeOutcome.Answered { Authorization: { Approved: true } approvedAnswer } ? approvedAnswer : null;
                var approvedAs = approval is null ? null : await TryApproveAsync(tx, row, approval);
                if (approval is not null ? approvedAs is null : !await LockPendingAsync(tx, authorizationId))
                {
                    // The abandoned-authorization sweep got here first; it has released the hold and queued a reversal.
                    await tx.RollbackAsync(CancellationToken.None);
                    var earlier = await idempotency.FindAsync(connection, null, scope, key, CancellationToken.None);
                    return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier!, requestHash));
                }
                switch (outcome)
                {
                    case ProcessorAuthorizeOutcome.Answered { Authorization: { Approved: true } }:
                        decided = await RecordApprovalAsync(tx, row, approval!, approvedAs!.Value, actor, origin);
                        break;
                    case ProcessorAuthorizeOutcome.Answered { Authorization: var answer }:
                        await Sql.ExecuteAsync(connection, tx, "update core.authorizations set processor_authorization_id = $2 where authorization_id = $1",
                            CancellationToken.None, authorizationId, answer.AuthorizationId);
                        await ledger.ReleaseHoldAsync(tx, row.AccountId, authorizationId, null, amount, row.Currency, "Hold released: declined by the processor", CancellationToken.None);
                        decided = await DeclineAsync(tx, row, DeclineReason.FromProcessor(answer.ResponseCode, answer.ResponseMessage), actor, origin, CancellationToken.None);
                        break;
                    case ProcessorAuthorizeOutcome.NoAnswer noAnswer:
                        await ledger.ReleaseHoldAsync(tx, row.AccountId, authorizationId, null, amount, row.Currency, "Hold released: processor did not answer", CancellationToken.None);
                        if (noAnswer.MayHaveBeenProcessed)
                        {
                            await outbox.EnqueueAsync(tx, ReversalOutboxKind, authorizationId,
                                JsonSerializer.SerializeToElement(processorRequest, ProcessorJsonContext.Default.ProcessorAuthorizeRequest), CancellationToken.None);
                            reversalQueued = true;
                        }
                        LogNoAnswer(logger, authorizationId, noAnswer.Cause, noAnswer.MayHaveBeenProcessed);
                        decided = await DeclineAsync(tx, row, DeclineReason.ProcessorUnavailable, actor, origin, CancellationToken.None,
                            new() { ["processorCause"] = noAnswer.Cause, ["reversalQueued"] = noAnswer.MayHaveBeenProcessed });
                        break;
                    default:
                        throw new UnreachableException();
                }
                await tx.CommitAsync(CancellationToken.None);
            }
            if (reversalQueued) outbox.Wake();
            return new AuthorizeResult.Decided(decided);
        }
        finally
        {
            if (admitted) admission.Leave();
        }
    }

    /// <summary>
    /// Marks the pending row approved and gives back what a partial approval leaves unused, in one statement; false
    /// when the row is no longer pending (the abandoned-authorization sweep settled it first).
    /// </summary>
    private async Task<(long Approved, long Available, DateTimeOffset At)?> TryApproveAsync(NpgsqlTransaction tx, AuthorizationRow row, ProcessorAuthorization answer)
    {
        var approved = Math.Clamp(answer.ApprovedAmount, 1, row.Amount);
        var now = time.GetUtcNow();
        await using var command = new NpgsqlCommand("""
            with decided as (
                update core.authorizations set status = 'approved', approved_amount = @approved, held_amount = @approved, response_code = @code,
                    processor_authorization_id = @processor_id, decided_at = @now, expires_at = @expires
                where authorization_id = @id and status = 'pending'
                returning account_id),
            released as (
                update core.accounts set held_amount = held_amount - @unused, updated_at = @now
                where account_id = @account and @unused > 0 and exists (select 1 from decided)
                returning credit_limit - held_amount - posted_balance as available),
            release_posting as (
                insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
                select @account, 'hold_release', 'held', -@unused, @currency, @id, null, 'Hold reduced: partial approval', @now from released)
            select (select count(*) from decided),
                   coalesce((select available from released), (select credit_limit - held_amount - posted_balance from core.accounts where account_id = @account))
            """, tx.Connection, tx);
        command.Parameters.AddWithValue("id", row.Id);
        command.Parameters.AddWithValue("account", row.AccountId);
        command.Parameters.AddWithValue("approved", approved);
        command.Parameters.AddWithValue("unused", row.Amount - approved);
        command.Parameters.AddWithValue("code", answer.ResponseCode);
        command.Parameters.AddWithValue("processor_id", answer.AuthorizationId);
        command.Parameters.AddWithValue("currency", row.Currency);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("expires", now.AddMinutes(options.Value.HoldExpiryMinutes));
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        await reader.ReadAsync(CancellationToken.None);
        return reader.GetInt64(0) == 0 ? null : (approved, reader.GetInt64(1), now);
    }

    /// <summary>The approval's answer, alerts, stored idempotent answer and audit event, written together.</summary>
    private async Task<AuthorizationResponse> RecordApprovalAsync(NpgsqlTransaction tx, AuthorizationRow row, ProcessorAuthorization answer,
        (long Approved, long Available, DateTimeOffset At) approvedAs, AuditActor actor, AuditOrigin origin)
    {
        var (approved, available, now) = approvedAs;
        var response = Response(row, "approved", approved, answer.ResponseCode, null, available, now);
        await NotifyRecordedAsync(tx, row, response, CancellationToken.None);
        await idempotency.CompleteAsync(tx, row.IdempotencyScope, row.IdempotencyKey, 200, response, MoneyJsonContext.Default.AuthorizationResponse, CancellationToken.None);
        await audit.AppendAsync(FinancialAudit.Entry("authorization.approved", actor, origin, "authorization", row.Id, Details(row, response)), tx, CancellationToken.None);
        return response;
    }

    private async Task<AuthorizationResponse> DeclineAsync(NpgsqlTransaction tx, AuthorizationRow row, DeclineReason reason, AuditActor actor, AuditOrigin origin,
        CancellationToken cancellationToken, Dictionary<string, object?>? extra = null)
    {
        var now = time.GetUtcNow();
        await using (var command = Sql.Command(tx.Connection!, tx, """
            update core.authorizations set status = 'declined', held_amount = 0, response_code = $2, decline_reason = $3, decided_at = $4
            where authorization_id = $1
            returning (select credit_limit - held_amount - posted_balance from core.accounts where account_id = $5)
            """, row.Id, reason.ResponseCode, reason.Code, now, row.AccountId))
        {
            var available = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            var response = Response(row, "declined", 0, reason.ResponseCode, reason, available, now);
            var details = Details(row, response);
            foreach (var (name, value) in extra ?? []) details[name] = value;
            await NotifyRecordedAsync(tx, row, response, cancellationToken);
            await idempotency.CompleteAsync(tx, row.IdempotencyScope, row.IdempotencyKey, 200, response, MoneyJsonContext.Default.AuthorizationResponse, cancellationToken);
            await audit.AppendAsync(FinancialAudit.Entry("authorization.declined", actor, origin, "authorization", row.Id, details), tx, cancellationToken);
            return response;
        }
    }

    private async Task NotifyRecordedAsync(NpgsqlTransaction tx, AuthorizationRow row, AuthorizationResponse response, CancellationToken cancellationToken)
    {
        var recorded = new RecordedAuthorization(response, row.Merchant.Name!, row.Merchant.Mcc!, row.Merchant.Country!, row.Alerts);
        foreach (var handler in recordedHandlers) await handler.OnRecordedAsync(tx, recorded, cancellationToken);
    }

    private static AuthorizationResponse Response(AuthorizationRow row, string status, long approved, string code, DeclineReason? reason, long available, DateTimeOffset now) =>
        new(row.Id, row.CardId, row.AccountId, status, row.Amount, approved, row.Currency, code, reason?.Code, reason?.Message, available,
            row.Fraud is { } f ? new FraudSummary(f.FraudCheck == FraudCheckStatus.Completed ? "completed" : "unavailable", f.Action.ToString().ToLowerInvariant(), f.Score) : null,
            PostgresTime.Truncate(now));

    private static Dictionary<string, object?> Details(AuthorizationRow row, AuthorizationResponse response) => new()
    {
        ["cardId"] = row.CardId,
        ["accountId"] = row.AccountId,
        ["amount"] = row.Amount,
        ["approvedAmount"] = response.ApprovedAmount,
        ["currency"] = row.Currency,
        ["merchant"] = row.Merchant.Name,
        ["mcc"] = row.Merchant.Mcc,
        ["responseCode"] = response.ResponseCode,
        ["declineReason"] = response.DeclineReason,
        ["fraudCheck"] = response.Fraud?.Check,
        ["fraudAction"] = response.Fraud?.Action,
        ["fraudScore"] = response.Fraud?.Score,
    };

    private sealed record AuthorizationRow(Guid Id, Guid AccountId, Guid CardId, long Amount, string Currency, MerchantRequest Merchant, string IdempotencyScope,
        string IdempotencyKey, FraudAssessment? Fraud, CardAlertSettings Alerts);

    private async Task InsertAsync(NpgsqlTransaction tx, AuthorizationRow row, string status, long held, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(tx.Connection!, tx, """
            insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country,
                status, held_amount, fraud_check, fraud_action, fraud_score, idempotency_scope, idempotency_key, created_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """, cancellationToken, row.Id, row.AccountId, row.CardId, row.Amount, row.Currency, row.Merchant.Name, row.Merchant.Mcc, row.Merchant.Country,
            status, held, row.Fraud is null ? null : row.Fraud.FraudCheck == FraudCheckStatus.Completed ? "completed" : "unavailable",
            row.Fraud?.Action.ToString().ToLowerInvariant(), row.Fraud?.Score, row.IdempotencyScope, row.IdempotencyKey, time.GetUtcNow());

    private static async Task<bool> LockPendingAsync(NpgsqlTransaction tx, Guid authorizationId)
    {
        await using var command = Sql.Command(tx.Connection!, tx, "select 1 from core.authorizations where authorization_id = $1 and status = 'pending' for update", authorizationId);
        return await command.ExecuteScalarAsync(CancellationToken.None) is not null;
    }

    private static async Task<(StoredIdempotentResponse? Earlier, CardInfo? Card)> ReadKeyAndCardAsync(
        NpgsqlConnection connection, Guid cardId, string scope, string key, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, """
            select k.request_hash, k.status_code, k.response,
                   c.card_id, c.account_id, c.status, c.processor_card_token, a.currency, a.status, a.owner_reference,
                   c.last4, r.large_purchase_threshold, r.fraud_decline_alerts
            from (select 1) one
            left join core.idempotency_keys k on k.scope = $2 and k.idempotency_key = $3
            left join core.cards c on c.card_id = $1
            left join core.accounts a on a.account_id = c.account_id
            left join core.alert_rules r on r.account_id = c.account_id
            """, cardId, scope, key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var earlier = reader.IsDBNull(0) ? null
            : new StoredIdempotentResponse(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        var card = reader.IsDBNull(3) ? null
            : new CardInfo(reader.GetGuid(3), reader.GetGuid(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7),
                reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9),
                new CardAlertSettings(reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetInt64(11),
                    reader.IsDBNull(12) ? null : reader.GetBoolean(12)));
        return (earlier, card);
    }

    /// <summary>
    /// Claims the key, inserts the pending row and holds the credit in one statement (the row goes in first: postings
    /// refer to it; the hold only if the credit is there, by <see cref="LedgerPostings"/>'s conditional update).
    /// </summary>
    private async Task<(bool Claimed, long? Available)> ClaimInsertAndHoldAsync(NpgsqlTransaction tx, AuthorizationRow row, string requestHash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            with {IdempotencyStore.ClaimCte},
            inserted as (
                insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country,
                    status, held_amount, fraud_check, fraud_action, fraud_score, idempotency_scope, idempotency_key, created_at)
                select @id, @account, @card, @amount, @currency, @merchant_name, @merchant_mcc, @merchant_country,
                    'pending', @amount, @fraud_check, @fraud_action, @fraud_score, @claim_scope, @claim_key, @now
                where exists (select 1 from claim)
                returning 1),
            {LedgerPostings.HoldCte("exists (select 1 from inserted)")}
            select (select count(*) from claim), (select available from hold)
            """, tx.Connection, tx);
        IdempotencyStore.AddClaimParameters(command, row.IdempotencyScope, row.IdempotencyKey, requestHash);
        LedgerPostings.AddHoldParameters(command, row.AccountId, row.Id, row.Amount, row.Currency, $"Hold: {row.Merchant.Name}");
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        command.Parameters.AddWithValue("id", row.Id);
        command.Parameters.AddWithValue("account", row.AccountId);
        command.Parameters.AddWithValue("card", row.CardId);
        command.Parameters.AddWithValue("amount", row.Amount);
        command.Parameters.AddWithValue("currency", row.Currency);
        command.Parameters.AddWithValue("merchant_name", row.Merchant.Name!);
        command.Parameters.AddWithValue("merchant_mcc", row.Merchant.Mcc!);
        command.Parameters.AddWithValue("merchant_country", row.Merchant.Country!);
        command.Parameters.AddWithValue("fraud_check", NpgsqlTypes.NpgsqlDbType.Text, (object?)FraudCheckText(row.Fraud) ?? DBNull.Value);
        command.Parameters.AddWithValue("fraud_action", NpgsqlTypes.NpgsqlDbType.Text, (object?)row.Fraud?.Action.ToString().ToLowerInvariant() ?? DBNull.Value);
        command.Parameters.AddWithValue("fraud_score", NpgsqlTypes.NpgsqlDbType.Integer, (object?)row.Fraud?.Score ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0) == 1, reader.IsDBNull(1) ? null : reader.GetInt64(1));
    }

    private static string? FraudCheckText(FraudAssessment? fraud) =>
        fraud is null ? null : fraud.FraudCheck == FraudCheckStatus.Completed ? "completed" : "unavailable";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authorization {AuthorizationId}: no processor answer ({Cause}); declined, reversal queued: {ReversalQueued}")]
    private static partial void LogNoAnswer(ILogger logger, Guid authorizationId, string cause, bool reversalQueued);
}

internal static class AuthorizationValidation
{
    private static readonly HashSet<string> Channels = ["pos", "contactless", "atm", "ecommerce", "moto"];

    public static Dictionary<string, string[]> Validate(AuthorizeRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.CardId is null || r.CardId == Guid.Empty) errors["cardId"] = ["Required."];
        if (r.Amount is not (> 0 and <= 100_000_000_00)) errors["amount"] = ["Required: a positive number of minor units."];
        if (!Money.IsCurrency(r.Currency)) errors["currency"] = ["Must be an ISO 4217 code such as USD."];
        if (r.Channel is not null && !Channels.Contains(r.Channel)) errors["channel"] = ["One of pos, contactless, atm, ecommerce, moto."];
        if (r.Merchant is not { } m) errors["merchant"] = ["Required."];
        else
        {
            if (string.IsNullOrWhiteSpace(m.Name) || m.Name.Length > 100) errors["merchant.name"] = ["Required, at most 100 characters."];
            if (m.Id is { } id && (id.Length is 0 or > 64)) errors["merchant.id"] = ["At most 64 characters."];
            if (m.Mcc is not { Length: 4 } mcc || !mcc.All(char.IsAsciiDigit)) errors["merchant.mcc"] = ["Must be a 4-digit merchant category code."];
            if (m.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper)) errors["merchant.country"] = ["Must be an ISO 3166-1 alpha-2 code such as US."];
        }
        return errors;
    }
}
