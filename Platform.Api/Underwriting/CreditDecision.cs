namespace Platform.Api.Underwriting;

public static class DecisionOutcomes
{
    public const string Approved = "approved";
    public const string Declined = "declined";
    public const string PendingReview = "pending_review";
}

/// <summary>A stable code and the sentence an adverse-action notice prints for it.</summary>
public sealed record DecisionReason(string Code, string Text);

/// <summary>
/// What FCRA §615(a) requires a notice to state when a score was used: the score, its range, the key factors that
/// affected it (up to four), the date it was created and who provided it.
/// </summary>
public sealed record ScoreDisclosure(
    int? Score,
    int RangeMin,
    int RangeMax,
    string Model,
    string Source,
    string ReportId,
    DateTimeOffset Date,
    IReadOnlyList<DecisionReason> KeyFactors);

/// <summary>The inputs a decision actually used, recorded with it so it can be re-derived and explained.</summary>
public sealed record DecisionInputs(
    long AnnualIncome,
    long MonthlyHousingCost,
    string Currency,
    long? EstimatedMonthlyDebtPayments,
    double? DebtToIncome,
    string FraudAction,
    int? FraudScore,
    string? FraudModelVersion,
    IReadOnlyList<string> FraudReasonCodes,
    string? BureauUnavailableCause,
    IReadOnlyList<string> BureauFlags,
    int? Score);

/// <summary>An offer's terms: a line and an APR (a fraction, 0.1999 = 19.99 %).</summary>
public sealed record CreditTerms(long CreditLimit, decimal Apr, string Currency);

/// <summary>The engine's answer. <see cref="Reasons"/> holds at most four entries, most important first.</summary>
public sealed record CreditDecision(
    string Outcome,
    string PolicyVersion,
    CreditTerms? Terms,
    IReadOnlyList<DecisionReason> Reasons,
    ScoreDisclosure? ScoreUsed,
    DecisionInputs Inputs,
    bool RetryAutomatically,
    ScoreBand? Band);
