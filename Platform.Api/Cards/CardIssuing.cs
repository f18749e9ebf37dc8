using System.Text.Json;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Outbox;

namespace Platform.Api.Cards;

/// <summary>Asks for a card: the card row and the outbox message that takes the request to the processor, in one transaction.</summary>
public sealed class CardIssuing(OutboxStore outbox, IAuditTrail audit, TimeProvider time)
{
    public const string OutboxKind = "card.issue";

    /// <summary>
    /// Records the request inside the caller's transaction (an approved application opens its first card this way);
    /// call <see cref="OutboxStore.Wake"/> after committing for the card to be requested at once.
    /// </summary>
    public async Task<CardResponse> RequestAsync(NpgsqlTransaction transaction, Guid accountId, string type, string cardholderName,
        AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cardId = Guid.CreateVersion7(now);
        await Sql.ExecuteAsync(transaction.Connection!, transaction, """
            insert into core.cards (card_id, account_id, card_type, cardholder_name, status, created_at, updated_at)
            values ($1, $2, $3, $4, 'requested', $5, $5)
            """, cancellationToken, cardId, accountId, type, cardholderName, now);
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
