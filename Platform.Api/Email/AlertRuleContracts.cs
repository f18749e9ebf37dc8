using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Email;

/// <summary>An account's alert rules. The threshold is in minor units of the account's currency.</summary>
public sealed record AlertRulesRequest(long? LargePurchaseThreshold, bool? FraudDeclineAlerts) : IOpenApiExample<AlertRulesRequest>
{
    public static AlertRulesRequest Example => new(50_000, true);
}

/// <summary>
/// The rules in force for an account. <c>source</c> is <c>account</c> when the account has its own rules, or
/// <c>default</c> when the configured defaults apply.
/// </summary>
public sealed record AlertRulesResponse(Guid AccountId, long LargePurchaseThreshold, string Currency, bool FraudDeclineAlerts, string Source, DateTimeOffset? UpdatedAt);

/// <summary>The outbox work item a recorded authorization leaves when an alert rule matched.</summary>
internal sealed record TransactionAlertRequest(Guid AccountId, string Kind, string CardLast4, string MerchantName, long Amount, string Currency, DateTimeOffset At);
