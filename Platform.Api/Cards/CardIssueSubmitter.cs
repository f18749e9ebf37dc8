using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Integrations.Processor;
using Platform.Api.Outbox;

namespace Platform.Api.Cards;

/// <summary>
/// Asks the processor for a requested card, with the card's id as idempotency key. The answer carries the full number
/// and CVV; only the token, last four and expiry are kept (the contract type has no field for the rest).
/// </summary>
internal sealed class CardIssueSubmitter(NpgsqlDataSource dataSource, CardStore cards, ProcessorOperationsClient processor, IAuditTrail audit) : IOutboxHandler
{
    public string Kind => CardIssuing.OutboxKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (await cards.FindToIssueAsync(message.SubjectId, cancellationToken) is not { Status: "requested" } requested) return OutboxResult.Done;

        var result = await processor.IssueCardAsync(new ProcessorIssueCardRequest(requested.CardType, requested.CardholderName, message.SubjectId.ToString()),
            message.SubjectId.ToString(), cancellationToken);
        switch (result)
        {
            case ProcessorCallResult<ProcessorIssuedCard>.Accepted { Body: var card }:
                await RecordAsync(message.SubjectId, "card.issued", AuditOutcome.Success, tx => cards.MarkIssuedAsync(tx, message.SubjectId, card, cancellationToken),
                    new() { ["last4"] = card.Last4, ["status"] = card.Status }, cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorIssuedCard>.Refused refused:
                await RecordAsync(message.SubjectId, "card.issue_failed", AuditOutcome.Failure, tx => cards.MarkFailedAsync(tx, message.SubjectId, cancellationToken),
                    new() { ["processorStatus"] = refused.StatusCode }, cancellationToken);
                return OutboxResult.Done;
            case ProcessorCallResult<ProcessorIssuedCard>.Transient transient:
                return OutboxResult.Retry(transient.Cause);
            default:
                return OutboxResult.Retry("unexpected result");
        }
    }

    /// <param name="change">Applies the processor's answer; false when the card had already moved on (nothing to audit).</param>
    private async Task RecordAsync(Guid cardId, string eventType, AuditOutcome outcome, Func<NpgsqlTransaction, Task<bool>> change,
        Dictionary<string, object?> details, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (await change(tx))
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
