using Npgsql;

namespace Platform.Api.Authorizations;

/// <summary>
/// An authorization decision as it is being recorded (approved or declined), with what was bought where, and the card's
/// alert settings when they were read with the card (so a handler need not read them again on the hot path).
/// </summary>
public sealed record RecordedAuthorization(AuthorizationResponse Decision, string MerchantName, string MerchantCategoryCode, string MerchantCountry,
    CardAlertSettings? AlertSettings = null);

/// <summary>A card's last four and its account's alert overrides (null: the configured default applies).</summary>
public sealed record CardAlertSettings(string? CardLast4, long? LargePurchaseThreshold, bool? FraudDeclineAlerts);

/// <summary>
/// Runs inside the transaction that records an authorization's decision, so what it writes (an alert e-mail request,
/// say) commits exactly when the decision does. Keep it to a few statements: it is on the authorization's hot path.
/// </summary>
public interface IAuthorizationRecordedHandler
{
    Task OnRecordedAsync(NpgsqlTransaction transaction, RecordedAuthorization authorization, CancellationToken cancellationToken);
}
