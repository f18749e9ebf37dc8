using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Accounts;

/// <summary>
/// Opens an account directly with a credit limit. Stand-in for underwriting: an approved application opens accounts
/// through <see cref="AccountStore.OpenAsync"/> the same way.
/// </summary>
public sealed record OpenAccountRequest(string? Currency, long? CreditLimit, string? OwnerReference) : IOpenApiExample<OpenAccountRequest>
{
    public static OpenAccountRequest Example => new("USD", 500_000, "the customer's user id, from GET /v1/me");
}

public sealed record AccountResponse(
    Guid Id,
    string Status,
    string Currency,
    long CreditLimit,
    long AvailableCredit,
    long HeldAmount,
    long PostedBalance,
    string? OwnerReference,
    DateTimeOffset CreatedAt);

/// <summary>
/// One ledger posting. <c>balance</c> says which balance it moved: <c>held</c> (reserved by an authorization) or
/// <c>posted</c> (owed). <c>transactionId</c> on a purchase is what <c>POST /v1/transactions/{id}/refund</c> takes.
/// </summary>
public sealed record LedgerEntryResponse(
    long Id,
    string Type,
    string Balance,
    long Amount,
    string Currency,
    Guid? AuthorizationId,
    Guid? TransactionId,
    string Description,
    DateTimeOffset CreatedAt);

/// <summary>Newest first; pass <c>nextCursor</c> as <c>before</c> for the next page (null when there is none).</summary>
public sealed record LedgerPage(IReadOnlyList<LedgerEntryResponse> Items, long? NextCursor);
