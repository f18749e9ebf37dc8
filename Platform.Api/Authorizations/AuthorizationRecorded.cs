using Npgsql;

namespace Platform.Api.Authorizations;

/// <summary>An authorization decision as it is being recorded (approved or declined), with what was bought where.</summary>
public sealed record RecordedAuthorization(AuthorizationResponse Decision, string MerchantName, string MerchantCategoryCode, string MerchantCountry);

/// <summary>
/// Runs inside the transaction that records an authorization's decision, so what it writes (an alert e-mail request,
/// say) commits exactly when the decision does. Keep it to a few statements: it is on the authorization's hot path.
/// </summary>
public interface IAuthorizationRecordedHandler
{
    Task OnRecordedAsync(NpgsqlTransaction transaction, RecordedAuthorization authorization, CancellationToken cancellationToken);
}
