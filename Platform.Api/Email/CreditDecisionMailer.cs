using System.Text.Json;
using Npgsql;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Delivers underwriting's <see cref="CreditDecisionRequests.Kind"/> outbox items: turns the decision into a queued
/// <c>credit-decision</c> e-mail (which its own <c>email.send</c> item then sends). The deduplication key
/// <c>credit-decision:{decisionId}</c> makes a second e-mail for the same decision impossible, so an item handled again
/// (a lapsed lease) changes nothing. One that cannot become an e-mail (an unreadable decision, an address SES would
/// refuse) is retried on the outbox's backoff and, after its attempts, is a dead letter for an operator: it never
/// blocks the ones behind it.
/// </summary>
internal sealed partial class CreditDecisionMailer(
    NpgsqlDataSource dataSource, CreditDecisionRequests requests, IEmailOutbox emails, OutboxStore outbox, ILogger<CreditDecisionMailer> logger) : IOutboxHandler
{
    public string Kind => CreditDecisionRequests.Kind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var decisionId = message.SubjectId;
        if (CreditDecisionRequests.Recipient(message) is not { } recipient) return Failed(decisionId, new ArgumentException("The request names no recipient."));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            if (await requests.ReadAsync(transaction, decisionId, recipient, cancellationToken) is not { } request)
                return Failed(decisionId, new KeyNotFoundException("No such credit decision."));
            var emailId = await emails.EnqueueAsync(transaction, new EmailMessage(EmailTemplates.CreditDecision, request.Model, [request.Recipient],
                DeduplicationKey: $"credit-decision:{request.DecisionId}"), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            outbox.Wake();
            LogQueued(logger, request.DecisionId, request.Model.Outcome, emailId);
            return OutboxResult.Done;
        }
        catch (Exception ex) when (ex is ArgumentException or JsonException or InvalidCastException or NotSupportedException)
        {
            return Failed(decisionId, ex);
        }
    }

    private OutboxResult Failed(Guid decisionId, Exception error)
    {
        LogFailed(logger, decisionId, error.GetType().Name, error.Message);
        return OutboxResult.Retry(error.GetType().Name + ": " + error.Message);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Credit decision {DecisionId} ({Outcome}) queued for e-mail as {EmailId}")]
    private static partial void LogQueued(ILogger logger, Guid decisionId, string outcome, Guid emailId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Credit decision {DecisionId} could not be queued for e-mail ({ErrorType}: {Error}); backing off")]
    private static partial void LogFailed(ILogger logger, Guid decisionId, string errorType, string error);
}
