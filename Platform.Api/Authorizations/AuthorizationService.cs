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
    IEnumerable<IAuthorizationRecordedHandler> recordedHandlers, ILogger<AuthorizationService> logger)
{
    /// <summary>
    /// Keys are the caller's own: customer B's key never collides with customer A's, so an authorization is claimed
    /// under the caller's scope (and the sweep that may settle it later uses the scope stored with it).
    /// </summary>
    public static string IdempotencyScopeFor(AuditActor caller) => "authorize:" + caller.Id;
    public const string ReversalOutboxKind = "authorization.reversal";
    private static readonly ActivitySource Activity = new("Platform.Api.Authorizations");

    private sealed record CardInfo(Guid CardId, Guid AccountId, string CardStatus, string? Token, string AccountCurrency, string AccountStatus);

    public async Task<AuthorizeResult> AuthorizeAsync(AuthorizeRequest request, string? idempotencyKey, AuditOrigin origin, AuditActor actor, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var budget = TimeSpan.FromMilliseconds(options.Value.BudgetMs);

        var errors = IdempotencyStore.ValidateKey(idempotencyKey) ?? AuthorizationValidation.Validate(request);
        if (errors.Count > 0) return new AuthorizeResult.Invalid(errors);
        var key = idempotencyKey!;
        var scope = IdempotencyScopeFor(actor);
        var requestHash = IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.AuthorizeRequest);

        CardInfo? card;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            if (await idempotency.FindAsync(connection, null, scope, key, cancellationToken) is { } earlier)
                return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier, requestHash));
            card = await ReadCardAsync(connection, request.CardId!.Value, cancellationToken);
        }
        if (card is null) return new AuthorizeResult.CardNotFound();
        if (card.AccountCurrency != request.Currency)
            return new AuthorizeResult.Invalid(new() { ["currency"] = [$"This card's account is in {card.AccountCurrency}."] });

        var authorizationId = Guid.CreateVersion7(time.GetUtcNow());
        var merchant = request.Merchant!;
        var amount = request.Amount!.Value;

        DeclineReason? early = card.AccountStatus != "open" ? DeclineReason.AccountNotOpen
            : card.CardStatus != "active" || card.Token is null ? DeclineReason.CardNotActive
            : null;
        FraudAssessment? assessment = null;
        if (early is null)
        {
            assessment = await fraud.ScoreAsync(new FraudTransactionRequest(authorizationId.ToString("N"), card.CardId.ToString("N"), amount, request.Currency!,
                merchant.Id ?? merchant.Name!, merchant.Mcc!, merchant.Country!, "US", request.Channel ?? "pos"), cancellationToken);
            if (assessment.Action == FraudRecommendation.Decline) early = DeclineReason.SuspectedFraud;
        }

        var row = new AuthorizationRow(authorizationId, card.AccountId, card.CardId, amount, request.Currency!, merchant, scope, key, assessment);
        long? availableAfterHold;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (!await idempotency.TryClaimAsync(tx, scope, key, requestHash, cancellationToken))
            {
                await tx.RollbackAsync(cancellationToken);
                var earlier = await idempotency.FindAsync(connection, null, scope, key, cancellationToken);
                return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier!, requestHash));
            }
            // The row first (postings refer to it); its hold only if the credit is there.
            await InsertAsync(tx, row, early is null ? "pending" : "declined", early is null ? amount : 0, cancellationToken);
            availableAfterHold = early is null
                ? await ledger.TryHoldAsync(tx, card.AccountId, authorizationId, amount, request.Currency!, $"Hold: {merchant.Name}", cancellationToken)
                : null;
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
            if (!await LockPendingAsync(tx, authorizationId))
            {
                // The abandoned-authorization sweep got here first; it has released the hold and queued a reversal.
                await tx.RollbackAsync(CancellationToken.None);
                var earlier = await idempotency.FindAsync(connection, null, scope, key, CancellationToken.None);
                return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier!, requestHash));
            }
            switch (outcome)
            {
                case ProcessorAuthorizeOutcome.Answered { Authorization: { Approved: true } answer }:
                    decided = await ApproveAsync(tx, row, answer, actor, origin);
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

    private async Task<AuthorizationResponse> ApproveAsync(NpgsqlTransaction tx, AuthorizationRow row, ProcessorAuthorization answer, AuditActor actor, AuditOrigin origin)
    {
        var approved = Math.Clamp(answer.ApprovedAmount, 1, row.Amount);
        var now = time.GetUtcNow();
        await Sql.ExecuteAsync(tx.Connection!, tx, """
            update core.authorizations set status = 'approved', approved_amount = $2, held_amount = $2, response_code = $3,
                processor_authorization_id = $4, decided_at = $5, expires_at = $6
            where authorization_id = $1
            """, CancellationToken.None, row.Id, approved, answer.ResponseCode, answer.AuthorizationId, now, now.AddMinutes(options.Value.HoldExpiryMinutes));
        // A partial approval keeps only what the processor approved on hold.
        var available = await ledger.ReleaseHoldAsync(tx, row.AccountId, row.Id, null, row.Amount - approved, row.Currency, "Hold reduced: partial approval", CancellationToken.None);
        var response = Response(row, "approved", approved, answer.ResponseCode, null, available, now);
        await NotifyRecordedAsync(tx, row, response, CancellationToken.None);
        await idempotency.CompleteAsync(tx, row.IdempotencyScope, row.IdempotencyKey, 200, response, MoneyJsonContext.Default.AuthorizationResponse, CancellationToken.None);
        // Last before commit: the audit chain's lock is global and held until the transaction ends.
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
        var recorded = new RecordedAuthorization(response, row.Merchant.Name!, row.Merchant.Mcc!, row.Merchant.Country!);
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

    private sealed record AuthorizationRow(Guid Id, Guid AccountId, Guid CardId, long Amount, string Currency, MerchantRequest Merchant, string IdempotencyScope, string IdempotencyKey, FraudAssessment? Fraud);

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

    private static async Task<CardInfo?> ReadCardAsync(NpgsqlConnection connection, Guid cardId, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, """
            select c.card_id, c.account_id, c.status, c.processor_card_token, a.currency, a.status
            from core.cards c join core.accounts a on a.account_id = c.account_id where c.card_id = $1
            """, cardId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CardInfo(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5))
            : null;
    }

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
