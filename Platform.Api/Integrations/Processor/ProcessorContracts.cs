using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Integrations.Processor;

// The card processor's contract as this API sends and reads it (processor-sim implements the same one:
// Platform.SimControl/Processor/ProcessorContracts.cs and SIMULATORS.md).

public sealed record ProcessorMerchant(string Name, string Mcc, string Country);

public sealed record ProcessorAuthorizeRequest(string CardToken, long Amount, string Currency, ProcessorMerchant Merchant);

public sealed record ProcessorAuthorization(
    string AuthorizationId,
    bool Approved,
    string ResponseCode,
    string ResponseMessage,
    long Amount,
    long ApprovedAmount,
    string Currency,
    string CardToken,
    DateTimeOffset CreatedAt);

public sealed record ProcessorAmountRequest(long? Amount);

/// <summary>A capture, refund or void the processor accepted; its outcome arrives later as a webhook.</summary>
public sealed record ProcessorOperation(
    string OperationId,
    string Kind,
    string Status,
    string? AuthorizationId,
    long? Amount,
    string? Currency,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

public sealed record ProcessorIssueCardRequest(string Type, string CardholderName, string Reference);

/// <summary>
/// The issue-card answer. It is the only message that carries the full card number and CVV; this API reads the
/// token, last four and expiry from it and lets the rest go (the number is for the cardholder, via the processor).
/// </summary>
public sealed record ProcessorIssuedCard(
    string CardToken,
    string Type,
    string Status,
    string Last4,
    int ExpiryMonth,
    int ExpiryYear,
    string? Reference,
    DateTimeOffset CreatedAt);

public sealed record ProcessorCard(
    string CardToken,
    string Type,
    string Status,
    string Last4,
    int ExpiryMonth,
    int ExpiryYear,
    string? Reference,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The processor's own record of an authorization, for reconciliation.</summary>
public sealed record ProcessorAuthorizationRecord(
    string AuthorizationId,
    string CardToken,
    long Amount,
    string Currency,
    bool Approved,
    string ResponseCode,
    long ApprovedAmount,
    long CapturedAmount,
    long RefundedAmount,
    string Status,
    DateTimeOffset CreatedAt,
    IReadOnlyList<ProcessorOperation> Operations)
{
    /// <summary>The processor has voided it: nothing it approved stands.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsVoided => Status == ProcessorAuthorizationStatus.Voided;
}

/// <summary>The processor's spelling of where its record of an authorization is (its contract, not ours: <c>SIMULATORS.md</c>).</summary>
public static class ProcessorAuthorizationStatus
{
    public const string Voiding = "voiding";
    public const string Voided = "voided";
}

public sealed record ProcessorWebhookEndpoint(string Url);

/// <summary>Every webhook's body: <c>data</c> is the operation or card it is about.</summary>
public sealed record ProcessorWebhookEnvelope(string Id, string Type, DateTimeOffset CreatedAt, JsonElement Data) : IOpenApiExample<ProcessorWebhookEnvelope>
{
    public static ProcessorWebhookEnvelope Example => new("evt_0195f7a26c1e7d3a", "capture.succeeded", new DateTimeOffset(2026, 3, 14, 12, 31, 5, TimeSpan.Zero),
        JsonSerializer.SerializeToElement(new { operationId = "op_0195f7a26c1e", authorizationId = "auth_0195f7a26c1e", amount = 4_250, currency = "USD", status = "succeeded" }));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProcessorAuthorizeRequest))]
[JsonSerializable(typeof(ProcessorAuthorization))]
[JsonSerializable(typeof(ProcessorAmountRequest))]
[JsonSerializable(typeof(ProcessorOperation))]
[JsonSerializable(typeof(ProcessorIssueCardRequest))]
[JsonSerializable(typeof(ProcessorIssuedCard))]
[JsonSerializable(typeof(ProcessorCard))]
[JsonSerializable(typeof(ProcessorAuthorizationRecord))]
[JsonSerializable(typeof(IReadOnlyList<ProcessorAuthorizationRecord>))]
[JsonSerializable(typeof(ProcessorWebhookEndpoint))]
[JsonSerializable(typeof(ProcessorWebhookEnvelope))]
internal sealed partial class ProcessorJsonContext : JsonSerializerContext;
