using System.Text.Json;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Turns a matched alert rule into a <c>transaction-alert</c> e-mail to the account's holder. Keyed by the
/// authorization (<c>transaction-alert:{authorizationId}</c>), so a retried work item never mails twice. An account
/// without a reachable holder is skipped: an alert nobody can receive is not an error.
/// </summary>
internal sealed partial class TransactionAlertHandler(IAccountContacts contacts, IEmailOutbox emails, ILogger<TransactionAlertHandler> logger) : IOutboxHandler
{
    public string Kind => TransactionAlertRules.AlertKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var request = message.Payload.Deserialize(EmailJsonContext.Default.TransactionAlertRequest)
            ?? throw new JsonException("Transaction alert work item without a payload.");
        var contact = await contacts.FindAsync(request.AccountId, cancellationToken);
        if (contact is null || !EmailOutbox.IsAddress(contact.Email))
        {
            LogNoContact(logger, request.Kind, message.SubjectId, request.AccountId);
            return OutboxResult.Done;
        }

        var model = new TransactionAlertEmailModel(contact.DisplayName, request.Kind, request.CardLast4, request.MerchantName, request.Amount,
            request.Currency, request.At);
        await emails.EnqueueAsync(new EmailMessage(EmailTemplates.TransactionAlert, model, [contact.Email],
            DeduplicationKey: $"transaction-alert:{message.SubjectId}"), cancellationToken);
        return OutboxResult.Done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No e-mail contact for account {AccountId}: {Kind} alert for authorization {AuthorizationId} not sent")]
    private static partial void LogNoContact(ILogger logger, string kind, Guid authorizationId, Guid accountId);
}
