using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Idempotency;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Integrations.Processor;
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
/// reversal through the outbox. What to do at each step is <see cref="AuthorizationDecision"/>'s; writing it down is
/// <see cref="AuthorizationRecorder"/>'s. Two commits per authorization, one round trip per phase on the usual path.
/// </summary>
public sealed partial class AuthorizationService(
    NpgsqlDataSource dataSource, AuthorizationStore store, AuthorizationRecorder recorder, IdempotencyStore idempotency, TransactionFraudClient fraud,
    ProcessorAuthorizationClient processor, OutboxStore outbox, IOptions<AuthorizationOptions> options, TimeProvider time, AuthorizationAdmission admission,
    ILogger<AuthorizationService> logger)
{
    /// <summary>
    /// Keys are the caller's own: customer B's key never collides with customer A's, so an authorization is claimed
    /// under the caller's scope (and the sweep that may settle it later uses the scope stored with it).
    /// </summary>
    public static string IdempotencyScopeFor(AuditActor caller) => "authorize:" + caller.Id;

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

        // Phase 1, one round trip: an earlier answer under the caller's key, and the card with its account and owner.
        CardFacts? card;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var (earlier, found) = await store.ReadKeyAndCardAsync(connection, request.CardId!.Value, scope, key, cancellationToken);
            if (earlier is not null) return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier, requestHash));
            card = found;
        }
        var screened = AuthorizationDecision.Screen(card, card is not null && Identity.Ownership.Owns(caller, card.OwnerReference), request.Currency!);
        switch (screened)
        {
            case AuthorizationVerdict.CardNotFound: return new AuthorizeResult.CardNotFound();
            case AuthorizationVerdict.WrongCurrency wrong: return new AuthorizeResult.Invalid(new() { ["currency"] = [$"This card's account is in {wrong.AccountCurrency}."] });
        }

        var authorizationId = Guid.CreateVersion7(time.GetUtcNow());
        var merchant = request.Merchant!;
        var amount = request.Amount!.Value;
        // Past this instance's capacity: declined 91 now, recorded like any decline before the processor.
        var admitted = screened is null && await admission.TryEnterAsync(cancellationToken);
        try
        {
            var assessment = admitted
                ? await fraud.ScoreAsync(new FraudTransactionRequest(authorizationId.ToString("N"), card!.CardId.ToString("N"), amount, request.Currency!,
                    merchant.Id ?? merchant.Name!, merchant.Mcc!, merchant.Country!, "US", request.Channel ?? "pos"), cancellationToken)
                : null;
            var verdict = screened ?? AuthorizationDecision.BeforeProcessor(amount, merchant.Name!, admitted, assessment);
            var row = new PendingAuthorization(authorizationId, card!.AccountId, card.CardId, amount, request.Currency!, merchant.Name!, merchant.Mcc!,
                merchant.Country!, scope, key, PendingAuthorization.Summarize(assessment), card.ProcessorCardToken, card.Alerts);

            // Phase 2: the key claimed with the row and the hold, or the decline recorded.
            long? availableAfterHold = null;
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
            {
                bool claimed;
                AuthorizationResponse? declined = null;
                if (verdict is AuthorizationVerdict.Decline before)
                {
                    // Busy, fraud or an unusable card: key, row, audit event and stored answer, nothing held.
                    declined = await recorder.TryDeclineBeforeHoldAsync(tx, row, requestHash, before, card.AvailableCredit, actor, origin, cancellationToken);
                    claimed = declined is not null;
                }
                else
                {
                    // The usual path in one statement: claim the key, insert the pending row, hold the credit.
                    var hold = verdict as AuthorizationVerdict.Hold
                        ?? throw new UnreachableException($"Before the processor an authorization is held or declined, not {verdict}.");
                    (claimed, availableAfterHold) = await store.ClaimInsertAndHoldAsync(tx, row, requestHash, hold, cancellationToken);
                    verdict = AuthorizationDecision.AfterHold(availableAfterHold) ?? verdict;
                }
                if (!claimed)
                {
                    await tx.RollbackAsync(cancellationToken);
                    return await ReplayAsync(connection, scope, key, requestHash, cancellationToken);
                }
                if (declined is not null)
                {
                    // Declined before the processor: the row, the audit event and the stored answer commit together.
                    await tx.CommitAsync(cancellationToken);
                    return new AuthorizeResult.Decided(declined);
                }
                if (verdict is AuthorizationVerdict.Decline noCredit)
                {
                    // The credit was not there: the pending row is declined in the same transaction.
                    var (response, _) = await recorder.DeclineAsync(tx, row, noCredit, actor, origin, cancellationToken);
                    await tx.CommitAsync(cancellationToken);
                    return new AuthorizeResult.Decided(response);
                }
                await tx.CommitAsync(cancellationToken);
            }

            var remaining = budget - time.GetElapsedTime(started) - TimeSpan.FromMilliseconds(options.Value.RecordingReserveMs);
            var outcome = remaining < TimeSpan.FromMilliseconds(options.Value.MinimumProcessorBudgetMs)
                ? new ProcessorAuthorizeOutcome.NoAnswer("budget-exhausted", MayHaveBeenProcessed: false)
                : await processor.AuthorizeAsync(row.ProcessorRequest(), authorizationId.ToString(), remaining, cancellationToken);
            if (outcome is ProcessorAuthorizeOutcome.NoAnswer noAnswer) LogNoAnswer(logger, authorizationId, noAnswer.Cause, noAnswer.MayHaveBeenProcessed);
            return await RecordOutcomeAsync(row, AuthorizationDecision.AfterProcessor(amount, outcome),
                availableAfterHold ?? throw new UnreachableException("Only a held authorization reaches the processor."), requestHash, actor, origin);
        }
        finally
        {
            if (admitted) admission.Leave();
        }
    }

    /// <summary>
    /// Phase 3: the processor's outcome, recorded even if our caller has gone (a hold must never be left without a
    /// decision). If the abandoned-authorization sweep got there first (it released the hold and queued a reversal),
    /// its decline is the answer.
    /// </summary>
    private async Task<AuthorizeResult> RecordOutcomeAsync(PendingAuthorization row, AuthorizationVerdict verdict, long availableAfterHold, string requestHash,
        AuditActor actor, AuditOrigin origin)
    {
        var none = CancellationToken.None;
        await using var connection = await dataSource.OpenConnectionAsync(none);
        await using var tx = await connection.BeginTransactionAsync(none);
        AuthorizationResponse? decided;
        var reversalQueued = false;
        switch (verdict)
        {
            case AuthorizationVerdict.Approve approve:
                decided = await recorder.TryApproveAsync(tx, row, approve, availableAfterHold, actor, origin, none);
                break;
            case AuthorizationVerdict.Decline decline when await store.LockPendingAsync(tx, row.Id, none):
                (decided, reversalQueued) = await recorder.DeclineAsync(tx, row, decline, actor, origin, none);
                break;
            case AuthorizationVerdict.Decline:
                decided = null;
                break;
            default:
                throw new UnreachableException($"After the processor an authorization is approved or declined, not {verdict}.");
        }
        if (decided is null)
        {
            await tx.RollbackAsync(none);
            return await ReplayAsync(connection, row.IdempotencyScope, row.IdempotencyKey, requestHash, none);
        }
        await tx.CommitAsync(none);
        if (reversalQueued) outbox.Wake();
        return new AuthorizeResult.Decided(decided);
    }

    private async Task<AuthorizeResult> ReplayAsync(NpgsqlConnection connection, string scope, string key, string requestHash, CancellationToken cancellationToken)
    {
        var earlier = await idempotency.FindAsync(connection, null, scope, key, cancellationToken);
        return new AuthorizeResult.Replay(new IdempotentReplayResult(earlier!, requestHash));
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
