using System.Text.Json;
using Npgsql;
using Platform.Api.Authorizations;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Evaluates the account's alert rules as each authorization decision is recorded: an approval at or above the
/// large-purchase threshold, or a decline for suspected fraud, leaves a work item in the same transaction. Finding the
/// recipient and queueing the e-mail happen off the authorization's hot path (<see cref="TransactionAlertHandler"/>), so
/// a slow contact lookup never delays a purchase and an alert is never lost to one.
/// </summary>
internal sealed class TransactionAlertRules(AlertRuleStore rules, OutboxStore outbox) : IAuthorizationRecordedHandler
{
    public const string AlertKind = "email.transaction-alert";

    public async Task OnRecordedAsync(NpgsqlTransaction transaction, RecordedAuthorization authorization, CancellationToken cancellationToken)
    {
        var decision = authorization.Decision;
        var kind = decision switch
        {
            { Status: "approved" } => TransactionAlertKinds.LargePurchase,
            { Status: "declined", DeclineReason: "suspected_fraud" } => TransactionAlertKinds.DeclinedFraud,
            _ => null,
        };
        if (kind is null) return;

        var applicable = authorization.AlertSettings is { } read ? rules.From(read) : await rules.ForCardAsync(transaction, decision.CardId, cancellationToken);
        if (applicable is null) return;
        var matched = kind == TransactionAlertKinds.LargePurchase
            ? decision.ApprovedAmount >= applicable.LargePurchaseThreshold
            : applicable.FraudDeclineAlerts;
        if (!matched) return;

        var amount = kind == TransactionAlertKinds.LargePurchase ? decision.ApprovedAmount : decision.Amount;
        var request = new TransactionAlertRequest(decision.AccountId, kind, applicable.CardLast4 ?? "????", authorization.MerchantName, amount,
            decision.Currency, decision.CreatedAt);
        await outbox.EnqueueAsync(transaction, AlertKind, decision.Id,
            JsonSerializer.SerializeToElement(request, EmailJsonContext.Default.TransactionAlertRequest), cancellationToken);
    }
}
