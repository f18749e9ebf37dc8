using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Integrations.Fraud;

namespace Platform.Api.Underwriting;

/// <summary>
/// Applies the configured <see cref="DecisionPolicy"/> (its steps are documented there). Pure: the same inputs and
/// policy always give the same decision, which is what lets a recorded decision be explained later.
/// </summary>
public sealed class DecisionEngine(IOptions<DecisionPolicy> policyOptions, IOptions<BureauClientOptions> bureauOptions)
{
    public const string BureauUnavailable = "BUREAU_UNAVAILABLE";
    public const string NoCreditScore = "NO_CREDIT_SCORE";
    public const string ScoreBelowMinimum = "SCORE_BELOW_MINIMUM";
    public const string IncomeBelowMinimum = "INCOME_BELOW_MINIMUM";
    public const string DebtToIncomeTooHigh = "DEBT_TO_INCOME_TOO_HIGH";
    public const string IncomeInsufficientForLine = "INCOME_INSUFFICIENT_FOR_LINE";
    public const int MaxReasons = 4;

    public static readonly string[] BuiltInReasonCodes =
        [BureauUnavailable, NoCreditScore, ScoreBelowMinimum, IncomeBelowMinimum, DebtToIncomeTooHigh, IncomeInsufficientForLine];

    private DecisionPolicy Policy => policyOptions.Value;

    public string PolicyVersion => Policy.Version;

    /// <summary>
    /// The fraud step alone. Non-null when it settles the application (review or decline), so the caller need not put
    /// a hard inquiry on the applicant's file for a decision the bureau cannot change.
    /// </summary>
    public CreditDecision? ScreenFraud(long annualIncome, long monthlyHousingCost, FraudAssessment fraud)
    {
        var rule = FraudRule(fraud);
        if (rule.Outcome == "continue") return null;
        var inputs = Inputs(annualIncome, monthlyHousingCost, fraud, null, null, null);
        return rule.Outcome == "decline"
            ? new CreditDecision(DecisionOutcomes.Declined, Policy.Version, null, [Reason(rule.ReasonCode!)], null, inputs, false, null)
            : new CreditDecision(DecisionOutcomes.PendingReview, Policy.Version, null, [Reason(rule.ReasonCode!)], null, inputs, rule.Retry, null);
    }

    /// <summary>Decides an application (<paramref name="fraud"/> given) or a prequalification (<paramref name="fraud"/> null).</summary>
    public CreditDecision Decide(long annualIncome, long monthlyHousingCost, FraudAssessment? fraud, BureauPullResult bureau)
    {
        var policy = Policy;
        if (fraud is not null && ScreenFraud(annualIncome, monthlyHousingCost, fraud) is { } settledByFraud) return settledByFraud;

        if (bureau.Report is not { } report)
        {
            // Never approved (or declined) without the bureau's answer: the worker asks again later.
            return new CreditDecision(DecisionOutcomes.PendingReview, policy.Version, null, [Reason(BureauUnavailable)], null,
                Inputs(annualIncome, monthlyHousingCost, fraud, bureau.UnavailableCause, null, null), true, null);
        }

        var flags = FlagNames(report.Flags);
        var (monthlyDebt, debtToIncome) = Affordability(annualIncome, monthlyHousingCost, report.Tradelines);
        var inputs = Inputs(annualIncome, monthlyHousingCost, fraud, null, report, (monthlyDebt, debtToIncome)) with { BureauFlags = flags };
        var disclosure = Disclose(report);

        var reviews = new List<DecisionReason>();
        var retry = false;
        var declines = new List<DecisionReason>();
        var scoreDriven = false;
        foreach (var flag in flags)
        {
            if (!policy.FlagRules.TryGetValue(flag, out var rule) || rule.Outcome == "continue") continue;
            if (rule.Outcome == "review") { reviews.Add(Reason(rule.ReasonCode!)); retry |= rule.Retry; }
            else declines.Add(Reason(rule.ReasonCode!));
        }
        if (reviews.Count > 0)
        {
            return new CreditDecision(DecisionOutcomes.PendingReview, policy.Version, null, reviews.Take(MaxReasons).ToList(), disclosure, inputs, retry, null);
        }

        ScoreBand? band = null;
        if (report.Score is not { } score)
        {
            if (declines.Count == 0) declines.Add(Reason(NoCreditScore));
        }
        else if (score < policy.MinimumScore)
        {
            declines.Add(Reason(ScoreBelowMinimum, score));
            scoreDriven = true;
        }
        else
        {
            band = policy.Bands.Where(b => b.MinScore <= score).MaxBy(b => b.MinScore);
        }

        if (annualIncome < policy.MinimumAnnualIncome) declines.Add(Reason(IncomeBelowMinimum));
        else if (debtToIncome > policy.MaxDebtToIncome) declines.Add(Reason(DebtToIncomeTooHigh));

        CreditTerms? terms = null;
        if (declines.Count == 0 && band is not null)
        {
            var limit = Math.Min(band.MaxCreditLimit, (long)(annualIncome * policy.MaxLimitToIncome));
            limit -= limit % policy.LimitStep;
            if (limit < policy.MinimumCreditLimit) declines.Add(Reason(IncomeInsufficientForLine));
            else terms = new CreditTerms(limit, Apr(band, report.Score!.Value), policy.Currency);
        }

        if (declines.Count > 0)
        {
            // A score-driven decline also names the factors that held the score down (the bureau's key factors).
            var reasons = scoreDriven ? declines.Concat(disclosure.KeyFactors) : declines;
            return new CreditDecision(DecisionOutcomes.Declined, policy.Version, null, reasons.DistinctBy(r => r.Code).Take(MaxReasons).ToList(),
                disclosure, inputs, false, null);
        }
        return new CreditDecision(DecisionOutcomes.Approved, policy.Version, terms, [], disclosure, inputs, false, band);
    }

    /// <summary>Higher scores in a band get the lower end of its APR range, linearly.</summary>
    private decimal Apr(ScoreBand band, int score)
    {
        var policy = Policy;
        var nextBandStart = policy.Bands.Where(b => b.MinScore > band.MinScore).Select(b => b.MinScore).DefaultIfEmpty(policy.ScoreRangeMax + 1).Min();
        var width = Math.Max(1, nextBandStart - 1 - band.MinScore);
        var position = Math.Clamp((decimal)(score - band.MinScore) / width, 0m, 1m);
        return Math.Round(band.AprMax - (band.AprMax - band.AprMin) * position, 4);
    }

    private (long MonthlyDebt, double DebtToIncome) Affordability(long annualIncome, long monthlyHousingCost, BureauTradelines tradelines)
    {
        var policy = Policy;
        var monthlyDebt = monthlyHousingCost
            + (long)Math.Round(tradelines.RevolvingBalance * policy.RevolvingPaymentRate)
            + (long)Math.Round(tradelines.InstallmentBalance * policy.InstallmentPaymentRate);
        var monthlyIncome = annualIncome / 12.0;
        return (monthlyDebt, monthlyIncome <= 0 ? double.PositiveInfinity : Math.Round(monthlyDebt / monthlyIncome, 4));
    }

    private ScoreDisclosure Disclose(BureauCreditReport report) => new(
        report.Score, Policy.ScoreRangeMin, Policy.ScoreRangeMax, report.ScoreModel, bureauOptions.Value.BureauName, report.ReportId,
        report.GeneratedAt, report.Factors.Take(MaxReasons).Select(f => new DecisionReason("BUREAU_" + f.Code, f.Text)).ToList());

    private OutcomeRule FraudRule(FraudAssessment fraud)
    {
        var key = fraud.FraudCheck == FraudCheckStatus.Unavailable ? "unavailable" : fraud.Action.ToString().ToLowerInvariant();
        return Policy.FraudActions[key];
    }

    private DecisionInputs Inputs(long annualIncome, long monthlyHousingCost, FraudAssessment? fraud, string? bureauCause,
        BureauCreditReport? report, (long MonthlyDebt, double DebtToIncome)? affordability) => new(
        annualIncome, monthlyHousingCost, Policy.Currency, affordability?.MonthlyDebt,
        affordability is { DebtToIncome: var dti } && double.IsFinite(dti) ? dti : null,
        fraud is null ? "not_assessed" : fraud.FraudCheck == FraudCheckStatus.Unavailable ? "unavailable" : fraud.Action.ToString().ToLowerInvariant(),
        fraud?.Score, fraud?.ModelVersion, fraud?.Reasons.Select(r => r.Code).ToList() ?? [], bureauCause, [], report?.Score);

    private DecisionReason Reason(string code, int? score = null)
    {
        var policy = Policy;
        var text = policy.ReasonTexts[code]
            .Replace("{score}", score?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal)
            .Replace("{minimumScore}", policy.MinimumScore.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{rangeMin}", policy.ScoreRangeMin.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{rangeMax}", policy.ScoreRangeMax.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return new DecisionReason(code, text);
    }

    private static List<string> FlagNames(BureauFlags flags)
    {
        var names = new List<string>();
        if (flags.NoHit) names.Add("noHit");
        if (flags.ThinFile) names.Add("thinFile");
        if (flags.Frozen) names.Add("frozen");
        if (flags.FraudAlert) names.Add("fraudAlert");
        if (flags.RecentBankruptcy) names.Add("recentBankruptcy");
        if (flags.Deceased) names.Add("deceased");
        return names;
    }
}
