using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Outbox;

namespace Platform.Api.Cards;

/// <summary>How a customer's request for a card ended.</summary>
internal abstract record CardIssueOutcome
{
    private CardIssueOutcome() { }

    public sealed record Requested(CardResponse Card) : CardIssueOutcome;

    /// <summary>The idempotency key was used before: its stored answer is replayed (or refused, for a different request).</summary>
    public sealed record Replay(StoredIdempotentResponse Earlier, string RequestHash) : CardIssueOutcome;

    public sealed record AccountNotFound : CardIssueOutcome;

    public sealed record AccountNotOpen(string Status) : CardIssueOutcome;
}

/// <summary>Asks for a card: the card row and the outbox message that takes the request to the processor, in one transaction.</summary>
public sealed class CardIssuing(NpgsqlDataSource dataSource, CardStore cards, IdempotencyStore idempotency, OutboxStore outbox, IAuditTrail audit, TimeProvider time)
{
    public const string OutboxKind = "card.issue";

    /// <summary>
    /// A card requested on an open account, at most once per idempotency key: the claim, the account check (share-locked
    /// so it cannot close meanwhile), the card and the stored answer commit together. Wakes the outbox after committing.
    /// </summary>
    internal async Task<CardIssueOutcome> RequestOnAccountAsync(Guid accountId, IssueCardRequest request, string idempotencyKey, AuditActor actor,
        AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var scope = "issue-card:" + accountId;
        var hash = IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.IssueCardRequest);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await idempotency.TryClaimAsync(tx, scope, idempotencyKey, hash, cancellationToken))
        {
            await tx.RollbackAsync(cancellationToken);
            return new CardIssueOutcome.Replay((await idempotency.FindAsync(connection, null, scope, idempotencyKey, cancellationToken))!, hash);
        }
        switch (await cards.LockAccountStatusAsync(tx, accountId, cancellationToken))
        {
            case null:
                await tx.RollbackAsync(cancellationToken);
                return new CardIssueOutcome.AccountNotFound();
            case var status when status != "open":
                await tx.RollbackAsync(cancellationToken);
                return new CardIssueOutcome.AccountNotOpen(status);
        }
        var card = await RequestAsync(tx, accountId, request.Type!, request.CardholderName!, actor, origin, cancellationToken);
        await idempotency.CompleteAsync(tx, scope, idempotencyKey, 202, card, MoneyJsonContext.Default.CardResponse, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        outbox.Wake();
        return new CardIssueOutcome.Requested(card);
    }

    /// <summary>
    /// Records the request inside the caller's transaction (an approved application opens its first card this way);
    /// call <see cref="OutboxStore.Wake"/> after committing for the card to be requested at once.
    /// </summary>
    public async Task<CardResponse> RequestAsync(NpgsqlTransaction transaction, Guid accountId, string type, string cardholderName,
        AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cardId = Guid.CreateVersion7(now);
        await cards.InsertRequestedAsync(transaction, cardId, accountId, type, cardholderName, now, cancellationToken);
        await outbox.EnqueueAsync(transaction, OutboxKind, cardId, null, cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry("card.requested", actor, origin, "card", cardId,
            new Dictionary<string, object?> { ["accountId"] = accountId, ["type"] = type }), transaction, cancellationToken);
        var created = PostgresTime.Truncate(now);
        return new CardResponse(cardId, accountId, type, "requested", cardholderName, null, null, null, created, created);
    }

    public static Dictionary<string, string[]> Validate(IssueCardRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Type is not ("virtual" or "physical")) errors["type"] = ["Must be virtual or physical."];
        if (string.IsNullOrWhiteSpace(request.CardholderName) || request.CardholderName.Length > 26)
            errors["cardholderName"] = ["Required, at most 26 characters (the embossing limit)."];
        return errors;
    }
}
