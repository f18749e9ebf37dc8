using System.Text.Json.Serialization;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Authorizations;

/// <param name="Id">The merchant's identifier at the acquirer; defaults to the name.</param>
/// <param name="Mcc">ISO 18245 merchant category code, 4 digits.</param>
/// <param name="Country">ISO 3166-1 alpha-2.</param>
public sealed record MerchantRequest(string? Id, string? Name, string? Mcc, string? Country);

/// <summary>A purchase to authorize on a card. Amount in minor units; the currency must be the account's.</summary>
/// <param name="Channel">pos (default), contactless, atm, ecommerce or moto.</param>
public sealed record AuthorizeRequest(Guid? CardId, long? Amount, string? Currency, MerchantRequest? Merchant, string? Channel) : IOpenApiExample<AuthorizeRequest>
{
    public static AuthorizeRequest Example => new(Guid.Parse("0195f7a2-6c1e-7d3a-9b51-2f4e8a1c0d77"), 4_250, "USD", new MerchantRequest(null, "Corner Grocer", "5411", "US"), "contactless");
}

/// <summary>What the fraud check said, or that it could not be made in time (then the fallback rule decided).</summary>
public sealed record FraudSummary(string Check, string Action, int? Score);

/// <summary>
/// The decision. <c>status</c> approved or declined (later voided or expired); <c>responseCode</c> is ISO 8583
/// (00 approved, 10 partial, 51 insufficient credit, 59 suspected fraud, 62 restricted card, 91 processor unavailable,
/// or the processor's own decline code); <c>declineReason</c> is a stable code for the same thing.
/// </summary>
public sealed record AuthorizationResponse(
    Guid Id,
    Guid CardId,
    Guid AccountId,
    string Status,
    long Amount,
    long ApprovedAmount,
    string Currency,
    string ResponseCode,
    string? DeclineReason,
    string? DeclineMessage,
    long AvailableCredit,
    FraudSummary? Fraud,
    DateTimeOffset CreatedAt);

/// <summary>A capture, void or refund as the platform tracks it: requested, submitted (to the processor), succeeded or failed.</summary>
public sealed record OperationResponse(
    Guid Id,
    string Kind,
    Guid AuthorizationId,
    long Amount,
    string Currency,
    string Status,
    Guid? RefundOf,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>An authorization with what happened to it since.</summary>
public sealed record AuthorizationDetails(
    Guid Id,
    Guid CardId,
    Guid AccountId,
    string Status,
    long Amount,
    long ApprovedAmount,
    long HeldAmount,
    long CapturedAmount,
    string Currency,
    string? ResponseCode,
    string? DeclineReason,
    MerchantRequest Merchant,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<OperationResponse> Operations);

/// <summary>Capture or refund amount in minor units; omitted means everything still capturable (or refundable).</summary>
public sealed record AmountRequest(long? Amount) : IOpenApiExample<AmountRequest>
{
    public static AmountRequest Example => new(1_500);
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AuthorizeRequest))]
[JsonSerializable(typeof(AuthorizationResponse))]
[JsonSerializable(typeof(OperationResponse))]
[JsonSerializable(typeof(AmountRequest))]
[JsonSerializable(typeof(Cards.IssueCardRequest))]
[JsonSerializable(typeof(Cards.CardResponse))]
internal sealed partial class MoneyJsonContext : JsonSerializerContext;
