using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Underwriting;

/// <summary>
/// The credit policy, kept as configuration (section <c>Underwriting:Policy</c> in appsettings.json) so a policy change
/// is a reviewed settings change with a new <see cref="Version"/>, and every decision names the version it applied.
/// The engine (<see cref="DecisionEngine"/>) applies these steps in order:
/// <list type="number">
/// <item>Fraud: the fraud service's action maps through <see cref="FraudActions"/> (continue, review or decline).</item>
/// <item>Bureau flags: each flag present maps through <see cref="FlagRules"/>; the strictest outcome wins.</item>
/// <item>Score: no score, or a score below <see cref="MinimumScore"/>, declines.</item>
/// <item>Affordability: stated income at least <see cref="MinimumAnnualIncome"/>; debt-to-income (housing cost plus the
/// estimated payments on bureau balances, over monthly income) at most <see cref="MaxDebtToIncome"/>.</item>
/// <item>Offer: the score band gives an APR range and a maximum line; the line is also capped at
/// <see cref="MaxLimitToIncome"/> of annual income, rounded down to <see cref="LimitStep"/>.</item>
/// </list>
/// </summary>
public sealed class DecisionPolicy
{
    public const string Section = "Underwriting:Policy";

    [Required, RegularExpression("^[A-Za-z0-9._-]{1,40}$")]
    public string Version { get; set; } = "";

    [Required, RegularExpression("^[A-Z]{3}$")]
    public string Currency { get; set; } = "USD";

    /// <summary>The score model's range, printed on adverse-action notices with the score.</summary>
    [Range(0, 1000)]
    public int ScoreRangeMin { get; set; } = 300;

    [Range(0, 1000)]
    public int ScoreRangeMax { get; set; } = 850;

    [Range(0, 1000)]
    public int MinimumScore { get; set; }

    /// <summary>Minor units a year.</summary>
    [Range(0, long.MaxValue)]
    public long MinimumAnnualIncome { get; set; }

    [Range(0.01, 2.0)]
    public double MaxDebtToIncome { get; set; }

    /// <summary>Estimated monthly payment as a share of revolving balances (a typical minimum payment).</summary>
    [Range(0.0, 1.0)]
    public double RevolvingPaymentRate { get; set; }

    /// <summary>Estimated monthly payment as a share of installment balances.</summary>
    [Range(0.0, 1.0)]
    public double InstallmentPaymentRate { get; set; }

    [Range(0.0, 1.0)]
    public double MaxLimitToIncome { get; set; }

    /// <summary>Lines are whole multiples of this (minor units).</summary>
    [Range(1, long.MaxValue)]
    public long LimitStep { get; set; } = 10_000;

    /// <summary>The smallest line worth opening; a lower affordable line declines for insufficient income.</summary>
    [Range(1, long.MaxValue)]
    public long MinimumCreditLimit { get; set; }

    /// <summary>Score bands, any order; a score uses the band with the highest <see cref="ScoreBand.MinScore"/> it reaches.</summary>
    [MinLength(1)]
    public List<ScoreBand> Bands { get; set; } = [];

    /// <summary>Bureau flag name (noHit, thinFile, frozen, fraudAlert, recentBankruptcy, deceased) → rule.</summary>
    public Dictionary<string, OutcomeRule> FlagRules { get; set; } = [];

    /// <summary>Fraud action (approve, review, decline, unavailable) → rule.</summary>
    public Dictionary<string, OutcomeRule> FraudActions { get; set; } = [];

    /// <summary>Stable reason code → the sentence an adverse-action notice prints.</summary>
    public Dictionary<string, string> ReasonTexts { get; set; } = [];

    public IEnumerable<string> Problems()
    {
        if (ScoreRangeMin >= ScoreRangeMax) yield return "Underwriting:Policy:ScoreRangeMin must be below ScoreRangeMax.";
        foreach (var band in Bands)
        {
            if (band.AprMin > band.AprMax) yield return $"Underwriting:Policy:Bands (MinScore {band.MinScore}) AprMin must not exceed AprMax.";
            if (band.MaxCreditLimit < MinimumCreditLimit) yield return $"Underwriting:Policy:Bands (MinScore {band.MinScore}) MaxCreditLimit is below MinimumCreditLimit.";
        }
        if (Bands.Count > 0 && Bands.Min(b => b.MinScore) > MinimumScore)
            yield return "Underwriting:Policy:Bands must cover MinimumScore.";
        foreach (var action in new[] { "approve", "review", "decline", "unavailable" })
        {
            if (!FraudActions.ContainsKey(action)) yield return $"Underwriting:Policy:FraudActions:{action} is required.";
        }
        foreach (var (name, rule) in FlagRules.Concat(FraudActions))
        {
            if (rule.Outcome is not ("continue" or "review" or "decline")) yield return $"Underwriting:Policy rule '{name}' outcome must be continue, review or decline.";
            if (rule.Outcome != "continue" && (rule.ReasonCode is null || !ReasonTexts.ContainsKey(rule.ReasonCode)))
                yield return $"Underwriting:Policy rule '{name}' needs a ReasonCode listed in ReasonTexts.";
        }
        foreach (var code in DecisionEngine.BuiltInReasonCodes)
        {
            if (!ReasonTexts.ContainsKey(code)) yield return $"Underwriting:Policy:ReasonTexts:{code} is required.";
        }
    }
}

public sealed class ScoreBand
{
    [Range(0, 1000)]
    public int MinScore { get; set; }

    /// <summary>Annual percentage rate as a fraction (0.2499 = 24.99 %).</summary>
    [Range(0.0, 0.36)]
    public decimal AprMin { get; set; }

    [Range(0.0, 0.36)]
    public decimal AprMax { get; set; }

    [Range(1, long.MaxValue)]
    public long MaxCreditLimit { get; set; }
}

/// <summary>What a flag or a fraud action does to an application: continue, review (a person looks) or decline.</summary>
public sealed class OutcomeRule
{
    public string Outcome { get; set; } = "continue";

    public string? ReasonCode { get; set; }

    /// <summary>For review outcomes: whether the worker retries on its own (an outage), or a person must act (a freeze).</summary>
    public bool Retry { get; set; }
}
