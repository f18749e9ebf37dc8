namespace Platform.Api.Statements;

/// <summary>Everything a statement PDF shows.</summary>
public sealed record StatementDocument(
    Guid AccountId,
    string? HolderName,
    StatementPeriod Period,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string Currency,
    StatementTotals Totals,
    IReadOnlyList<StatementLine> Lines,
    DateTimeOffset GeneratedAt);
