using System.Text.Json.Serialization;

namespace Platform.Api.Integrations.Fraud;

// The fraud service's contract (Platform.Fraud/Scoring/ScoringContracts.cs), as this API sends and reads it.

/// <summary>A card transaction to score. Money in minor units plus an ISO 4217 code.</summary>
/// <param name="TransactionId">Used by the fraud service so that a retried score is not counted twice in velocity.</param>
/// <param name="Channel">pos, contactless, atm, ecommerce or moto.</param>
public sealed record FraudTransactionRequest(
    string TransactionId,
    string CardId,
    long Amount,
    string Currency,
    string MerchantId,
    string MerchantCategoryCode,
    string MerchantCountry,
    string? CardCountry,
    string Channel,
    string? DeviceId = null,
    DateTimeOffset? OccurredAt = null);

/// <summary>An application for credit to score. Holds PII: never log it (ToString is redacted).</summary>
public sealed record FraudApplicationRequest(
    string ApplicationId,
    string FirstName,
    string LastName,
    DateOnly DateOfBirth,
    string Ssn,
    int? SsnIssuedYear,
    string Email,
    string Phone,
    string AddressCountry,
    int? MonthsAtAddress,
    long AnnualIncome,
    string Currency,
    string? IpCountry = null,
    string? DeviceId = null,
    DateTimeOffset? OccurredAt = null)
{
    public override string ToString() => $"FraudApplicationRequest {{ ApplicationId = {ApplicationId} }}";
}

public sealed record FraudReason(string Code, string Description);

/// <summary>The fraud service's answer.</summary>
public sealed record FraudScoreResponse(
    int Score,
    string RiskLevel,
    string Action,
    IReadOnlyList<FraudReason> Reasons,
    string ModelVersion,
    double ScoringTimeMs,
    bool Degraded);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FraudTransactionRequest))]
[JsonSerializable(typeof(FraudApplicationRequest))]
[JsonSerializable(typeof(FraudScoreResponse))]
internal sealed partial class FraudJsonContext : JsonSerializerContext;
