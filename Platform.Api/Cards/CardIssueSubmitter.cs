using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Outbox;

namespace Platform.Api.Cards;

/// <summary>
/// Asks the processor for a requested card, with the card's id as idempotency key. The answer carries the full number
/// and CVV; only the token, last four and expiry are kept (the contract type has no field for the rest).
/// </summary>
internal sealed class CardIssueSubmitter(NpgsqlDataSource dataSource, ProcessorOperationsClient processor, IAuditTrail audit, TimeProvider time) : IOutboxHandler
{
    public string Kind => CardIssuing.OutboxKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        string type, name, status;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = Sql.Command(connection, null, "select card_type, cardholder_name, status from core.cards where card_id = $1", message.SubjectId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return OutboxResult.Done;
            (type, name, status) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
        if (status != "requested") return OutboxResult.Done;

        var result = await processor.IssueCardAsync(new ProcessorIssueCardRequest(type, name, message.SubjectId.ToString()), message.SubjectId.ToString(), cancellationToken);
        switch (result)
        {
            case ProcessorCallResult<ProcessorIssuedCard>.Accepted { Body: var card }:
                await RecordAsync(message.SubjectId, "card.issued", AuditOutcome.Success, """
                    update core.cards set processor_card_token = $2, last4 = $3, expiry_month = $4, expiry_year = $5, status = $6, updated_at = $7
                    where card_id = $1 and status = 'requested'
                    """, [message.SubjectId, card.CardToken, card.Last4, card.ExpiryMonth, card.ExpiryYear, CardStatuses.FromProcessor(card.Status), time.GetUtcNow()],
                    new() { ["last4"] = card.Last4, ["status"] = card.Status }, cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorIssuedCard>.Refused refused:
                await RecordAsync(message.SubjectId, "card.issue_failed", AuditOutcome.Failure,
                    "update core.cards set status = 'failed', updated_at = $2 where card_id = $1 and status = 'requested'",
                    [message.SubjectId, time.GetUtcNow()], new() { ["processorStatus"] = refused.StatusCode }, cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorIssuedCard>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    private async Task RecordAsync(Guid cardId, string eventType, AuditOutcome outcome, string sql, object?[] parameters, Dictionary<string, object?> details, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (await Sql.ExecuteAsync(connection, tx, sql, cancellationToken, parameters) == 1)
            await audit.AppendAsync(FinancialAudit.Entry(eventType, FinancialAudit.Worker, null, "card", cardId, details, outcome), tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}

/// <summary>Card states and the order they happen in, so a late webhook never moves a card backwards.</summary>
internal static class CardStatuses
{
    public static string FromProcessor(string processorStatus) => processorStatus switch
    {
        "active" => "active",
        "shipped" => "shipped",
        "failed" => "failed",
        "closed" => "closed",
        _ => "pending",
    };

    public static string? FromWebhook(string eventType) => eventType switch
    {
        "card.activated" or "card.delivered" => "active",
        "card.shipped" => "shipped",
        "card.failed" => "failed",
        "card.closed" => "closed",
        _ => null,
    };

    public static int Rank(string status) => status switch
    {
        "requested" => 0,
        "pending" => 1,
        "shipped" => 2,
        "active" or "failed" => 3,
        _ => 4,
    };
}
