using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Cards;

/// <param name="Type">virtual (usable at once) or physical (shipped, usable once delivered).</param>
/// <param name="CardholderName">As embossed: at most 26 characters.</param>
public sealed record IssueCardRequest(string? Type, string? CardholderName) : IOpenApiExample<IssueCardRequest>
{
    public static IssueCardRequest Example => new("virtual", "AVERY EXAMPLE");
}

/// <summary>
/// A card as the platform knows it: never the full number or CVV, which only the processor and the cardholder see.
/// <c>status</c>: requested (not yet at the processor), pending, shipped, active, failed, closed.
/// </summary>
public sealed record CardResponse(
    Guid Id,
    Guid AccountId,
    string Type,
    string Status,
    string CardholderName,
    string? Last4,
    int? ExpiryMonth,
    int? ExpiryYear,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
