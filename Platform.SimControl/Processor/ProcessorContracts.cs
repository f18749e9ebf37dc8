using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.SimControl.Processor;

public sealed record MerchantInfo(string? Name, string? Mcc, string? Country);

public sealed record AuthorizeRequest(string? CardToken, long Amount, string? Currency, MerchantInfo? Merchant) : IOpenApiExample<AuthorizeRequest>
{
    public static AuthorizeRequest Example => new("tok_4f9c2a7e1b", 4_250, "USD", new MerchantInfo("Corner Grocer", "5411", "US"));
}

public sealed record AuthorizationResponse(
    string AuthorizationId,
    bool Approved,
    string ResponseCode,
    string ResponseMessage,
    long Amount,
    long ApprovedAmount,
    string Currency,
    string CardToken,
    DateTimeOffset CreatedAt);

/// <summary>Amount in minor units; omitted = everything still capturable (or refundable).</summary>
public sealed record AmountRequest(long? Amount) : IOpenApiExample<AmountRequest>
{
    public static AmountRequest Example => new(1_500);
}

/// <summary>A capture, refund or void accepted for asynchronous completion; the outcome arrives as a webhook.</summary>
public sealed record OperationResponse(
    string OperationId,
    string Kind,
    string Status,
    string? AuthorizationId,
    long? Amount,
    string? Currency,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

public sealed record IssueCardRequest(string? Type, string? CardholderName, string? Reference) : IOpenApiExample<IssueCardRequest>
{
    public static IssueCardRequest Example => new("virtual", "AVERY EXAMPLE", "0195f7a2-6c1e-7d3a-9b51-2f4e8a1c0d77");
}

/// <summary>The only answer that carries the full card number and CVV (the first one; a replay has neither).</summary>
public sealed record IssuedCardResponse(
    string CardToken,
    string Type,
    string Status,
    string? Pan,
    string? Cvv,
    string Last4,
    int ExpiryMonth,
    int ExpiryYear,
    string CardholderName,
    string? Reference,
    DateTimeOffset CreatedAt);

public sealed record CardResponse(
    string CardToken,
    string Type,
    string Status,
    string Last4,
    int ExpiryMonth,
    int ExpiryYear,
    string? Reference,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record AuthorizationRecord(
    string AuthorizationId,
    string CardToken,
    long Amount,
    string Currency,
    MerchantInfo Merchant,
    bool Approved,
    string ResponseCode,
    long ApprovedAmount,
    long CapturedAmount,
    long RefundedAmount,
    string Status,
    DateTimeOffset CreatedAt,
    IReadOnlyList<OperationResponse> Operations);

public sealed record WebhookEndpointRequest(string? Url) : IOpenApiExample<WebhookEndpointRequest>
{
    public static WebhookEndpointRequest Example => new("https://platform.example/v1/webhooks/processor");
}

public sealed record WebhookEndpointResponse(string Url, DateTimeOffset UpdatedAt);

public sealed record WebhookRecord(
    string WebhookId,
    string EventType,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt,
    JsonElement Payload);

/// <summary>The body of every webhook: <c>data</c> is the operation, authorization or card it is about.</summary>
public sealed record WebhookEnvelope(string Id, string Type, DateTimeOffset CreatedAt, JsonElement Data);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AuthorizeRequest))]
[JsonSerializable(typeof(AuthorizationResponse))]
[JsonSerializable(typeof(AmountRequest))]
[JsonSerializable(typeof(OperationResponse))]
[JsonSerializable(typeof(IssueCardRequest))]
[JsonSerializable(typeof(IssuedCardResponse))]
[JsonSerializable(typeof(CardResponse))]
[JsonSerializable(typeof(WebhookEnvelope))]
internal sealed partial class ProcessorJsonContext : JsonSerializerContext;
