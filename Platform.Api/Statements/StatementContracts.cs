namespace Platform.Api.Statements;

/// <summary>
/// A statement's figures. Money in minor units of <c>currency</c>; payments and refunds are positive amounts credited.
/// <c>periodEnd</c> is exclusive (the next period's start); <c>pdfUrl</c> downloads the document sent to the customer.
/// </summary>
public sealed record StatementResponse(
    Guid Id,
    Guid AccountId,
    string Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateOnly ClosingDate,
    string Currency,
    long PreviousBalance,
    long Payments,
    long Purchases,
    long Refunds,
    long Fees,
    long Interest,
    long NewBalance,
    long MinimumPayment,
    DateOnly DueDate,
    int TransactionCount,
    bool EmailQueued,
    DateTimeOffset CreatedAt,
    string PdfUrl);

public sealed record StatementList(IReadOnlyList<StatementResponse> Items);

/// <summary>
/// What one cycle pass did as of <c>asOf</c>: the statements it stored (none when every closed period already had its
/// statement) and the accounts it could not cycle (retried at the next pass).
/// </summary>
public sealed record StatementCycleResult(DateTimeOffset AsOf, IReadOnlyList<StatementResponse> Produced, IReadOnlyList<Guid> FailedAccounts);
