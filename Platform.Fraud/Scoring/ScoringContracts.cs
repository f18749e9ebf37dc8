using System.Text.Json.Serialization;
using Platform.Fraud.Features;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Fraud.Scoring;

/// <summary>
/// A card transaction to score. Money is an integer count of minor units plus an ISO 4217 code. Fields are nullable
/// so that a missing one is a field-level validation error, not an unreadable body.
/// </summary>
/// <param name="TransactionId">The caller's id; a retry with the same id is not counted twice in velocity.</param>
/// <param name="CardId">The platform's card id (never a card number).</param>
/// <param name="Amount">Minor units, positive.</param>
/// <param name="Currency">ISO 4217, e.g. USD.</param>
/// <param name="MerchantId">The acquirer's merchant id.</param>
/// <param name="MerchantCategoryCode">ISO 18245 MCC, four digits.</param>
/// <param name="MerchantCountry">ISO 3166 alpha-2.</param>
/// <param name="CardCountry">The card's home country, ISO 3166 alpha-2, when known.</param>
/// <param name="Channel">pos, contactless, atm, ecommerce or moto.</param>
/// <param name="DeviceId">Device fingerprint for card-not-present payments, when known.</param>
/// <param name="OccurredAt">When the transaction happened; now when omitted. At most 5 minutes ahead, 30 days back.</param>
public sealed record TransactionScoreRequest(
    string? TransactionId,
    string? CardId,
    long? Amount,
    string? Currency,
    string? MerchantId,
    string? MerchantCategoryCode,
    string? MerchantCountry,
    string? CardCountry,
    string? Channel,
    string? DeviceId,
    DateTimeOffset? OccurredAt) : IOpenApiExample<TransactionScoreRequest>
{
    public static TransactionScoreRequest Example => new("txn-8d1c0f", "card-5b2e91", 4_250, "USD", "m-0042-grocer", "5411", "US", "US", "contactless", null,
        new DateTimeOffset(2026, 3, 14, 12, 30, 0, TimeSpan.Zero));
}

/// <summary>An application for credit to score. Carries PII: it is never logged, and Redis only sees keyed hashes of it.</summary>
/// <param name="ApplicationId">The caller's id; a retry with the same id is not counted twice in velocity.</param>
/// <param name="Ssn">Nine digits, dashes allowed.</param>
/// <param name="SsnIssuedYear">The year the SSN was issued, from identity verification, when known.</param>
/// <param name="AnnualIncome">Stated annual income in minor units.</param>
/// <param name="Currency">ISO 4217 code of <paramref name="AnnualIncome"/>.</param>
/// <param name="AddressCountry">ISO 3166 alpha-2 of the home address.</param>
/// <param name="IpCountry">ISO 3166 alpha-2 the application was sent from, when known.</param>
public sealed record ApplicationScoreRequest(
    string? ApplicationId,
    string? FirstName,
    string? LastName,
    DateOnly? DateOfBirth,
    string? Ssn,
    int? SsnIssuedYear,
    string? Email,
    string? Phone,
    string? AddressCountry,
    int? MonthsAtAddress,
    long? AnnualIncome,
    string? Currency,
    string? IpCountry,
    string? DeviceId,
    DateTimeOffset? OccurredAt) : IOpenApiExample<ApplicationScoreRequest>
{
    /// <summary>A made-up applicant: the SSN is in the never-issued 000 area.</summary>
    public static ApplicationScoreRequest Example => new("app-3e7a21", "Avery", "Example", new DateOnly(1988, 4, 2), "000-12-3456", 2004,
        "avery@example.com", "+15555550123", "US", 36, 6_500_000, "USD", "US", null, new DateTimeOffset(2026, 3, 14, 12, 30, 0, TimeSpan.Zero));

    /// <summary>Redacted: the generated ToString would print the SSN, e-mail and phone number.</summary>
    public override string ToString() => $"ApplicationScoreRequest {{ ApplicationId = {ApplicationId} }}";
}

/// <summary>A fraud score.</summary>
/// <param name="Score">0 (no sign of fraud) to 100: the calibrated probability of fraud, in percent.</param>
/// <param name="RiskLevel">low, elevated or high.</param>
/// <param name="Action">approve, review or decline.</param>
/// <param name="Reasons">Up to four reasons, most important first, from this input's per-feature contributions.</param>
/// <param name="ModelVersion">The model that scored, e.g. transaction-3f2a9c1b04de.</param>
/// <param name="ScoringTimeMs">Time spent in the service scoring this request, velocity lookup included.</param>
/// <param name="Degraded">True when velocity could not be read in time and defaults were used.</param>
public sealed record FraudScoreResponse(
    int Score,
    string RiskLevel,
    string Action,
    IReadOnlyList<Reason> Reasons,
    string ModelVersion,
    double ScoringTimeMs,
    bool Degraded)
{
    internal static FraudScoreResponse From(FraudScore score) => new(
        score.Score, score.RiskLevel.Name(), score.Action.Name(), score.Reasons, score.ModelVersion,
        Math.Round(score.ScoringTimeMs, 3), score.Degraded);
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TransactionScoreRequest))]
[JsonSerializable(typeof(ApplicationScoreRequest))]
[JsonSerializable(typeof(FraudScoreResponse))]
internal sealed partial class ScoringJsonContext : JsonSerializerContext;
