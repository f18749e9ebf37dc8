using Platform.Api.Integrations.Fraud;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Authorizations;

/// <summary>
/// An authorization as it is recorded: what was asked where, under which idempotency key, what the fraud check said,
/// the card's processor token (to repeat the request for a reversal) and, when read with the card, its alert settings.
/// </summary>
public sealed record PendingAuthorization(Guid Id, Guid AccountId, Guid CardId, long Amount, string Currency, string MerchantName, string MerchantMcc,
    string MerchantCountry, string IdempotencyScope, string IdempotencyKey, FraudSummary? Fraud, string? CardToken, CardAlertSettings? Alerts)
{
    /// <summary>The fraud service's answer as the authorization records and answers it.</summary>
    public static FraudSummary? Summarize(FraudAssessment? fraud) => fraud is null ? null
        : new FraudSummary(fraud.FraudCheck == FraudCheckStatus.Completed ? "completed" : "unavailable", fraud.Action.ToString().ToLowerInvariant(), fraud.Score);

    /// <summary>The authorize request as the processor was (or may have been) sent it.</summary>
    public ProcessorAuthorizeRequest ProcessorRequest() =>
        new(CardToken ?? throw new InvalidOperationException("An authorization sent to the processor has a card token."), Amount, Currency,
            new ProcessorMerchant(MerchantName, MerchantMcc, MerchantCountry));
}
