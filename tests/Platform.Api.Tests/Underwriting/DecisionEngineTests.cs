using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Underwriting;

namespace Platform.Api.Tests.Underwriting;

/// <summary>The shipped policy (Platform.Api/appsettings.json, Underwriting:Policy) applied by the engine, no I/O.</summary>
public sealed class DecisionEngineTests
{
    private const long Income = 9_500_000;       // 95,000.00 a year
    private const long Housing = 150_000;        // 1,500.00 a month

    private static readonly DecisionPolicy Policy = LoadShippedPolicy();
    private readonly DecisionEngine engine = new(Options.Create(Policy), Options.Create(new BureauClientOptions { BureauName = "test-bureau" }));

    private static readonly FraudAssessment FraudApproves = new(FraudCheckStatus.Completed, FraudRecommendation.Approve, 3, "low", [], "application-v1", false);

    [Fact]
    public void The_shipped_policy_is_valid_and_versioned()
    {
        Assert.Empty(Policy.Problems());
        Assert.False(string.IsNullOrWhiteSpace(Policy.Version));
    }

    [Fact]
    public void Applicant_scoring_540_is_declined_with_the_score_its_range_and_the_bureau_factors_as_reasons()
    {
        var decision = engine.Decide(Income, Housing, FraudApproves, Report(540, factors: [("10", "Proportion of balances too high"), ("02", "Level of delinquency")]));

        Assert.Equal(DecisionOutcomes.Declined, decision.Outcome);
        Assert.Equal(DecisionEngine.ScoreBelowMinimum, decision.Reasons[0].Code);
        Assert.Contains("540", decision.Reasons[0].Text);
        Assert.Contains("300", decision.Reasons[0].Text);
        Assert.Contains("850", decision.Reasons[0].Text);
        Assert.Equal(["BUREAU_10", "BUREAU_02"], decision.Reasons.Skip(1).Select(r => r.Code));
        Assert.Equal(540, decision.ScoreUsed!.Score);
        Assert.Equal("test-bureau", decision.ScoreUsed.Source);
        Assert.Equal(Policy.Version, decision.PolicyVersion);
        Assert.Null(decision.Terms);
    }

    [Fact]
    public void Applicant_scoring_780_with_affordable_debts_is_approved_with_a_limit_and_an_apr_from_the_band()
    {
        var decision = engine.Decide(Income, Housing, FraudApproves, Report(780));

        Assert.Equal(DecisionOutcomes.Approved, decision.Outcome);
        var band = Policy.Bands.Where(b => b.MinScore <= 780).MaxBy(b => b.MinScore)!;
        Assert.Equal(Math.Min(band.MaxCreditLimit, (long)(Income * Policy.MaxLimitToIncome)) / Policy.LimitStep * Policy.LimitStep, decision.Terms!.CreditLimit);
        Assert.InRange(decision.Terms.Apr, band.AprMin, band.AprMax);
        Assert.Empty(decision.Reasons);
        Assert.Equal(780, decision.Inputs.Score);
        Assert.Equal("approve", decision.Inputs.FraudAction);
    }

    [Fact]
    public void A_higher_score_in_the_same_band_never_gets_a_higher_apr()
    {
        var lower = engine.Decide(Income, Housing, FraudApproves, Report(741)).Terms!.Apr;
        var higher = engine.Decide(Income, Housing, FraudApproves, Report(795)).Terms!.Apr;

        Assert.True(higher < lower, $"795 got {higher}, 741 got {lower}");
    }

    [Fact]
    public void A_frozen_file_goes_to_review_for_a_person_without_automatic_retry()
    {
        var decision = engine.Decide(Income, Housing, FraudApproves, Report(null, frozen: true));

        Assert.Equal(DecisionOutcomes.PendingReview, decision.Outcome);
        Assert.Equal("CREDIT_FILE_FROZEN", Assert.Single(decision.Reasons).Code);
        Assert.False(decision.RetryAutomatically);
    }

    [Fact]
    public void No_bureau_answer_is_never_approved_and_is_retried_automatically()
    {
        var decision = engine.Decide(Income, Housing, FraudApproves, new BureauPullResult(null, "status-503"));

        Assert.Equal(DecisionOutcomes.PendingReview, decision.Outcome);
        Assert.Equal(DecisionEngine.BureauUnavailable, Assert.Single(decision.Reasons).Code);
        Assert.True(decision.RetryAutomatically);
        Assert.Equal("status-503", decision.Inputs.BureauUnavailableCause);
        Assert.Null(decision.Terms);
    }

    [Fact]
    public void Housing_and_bureau_debts_above_the_maximum_debt_to_income_are_declined()
    {
        // 4,000.00 housing on 95,000.00 a year is about 51 % before any card payments.
        var decision = engine.Decide(Income, 400_000, FraudApproves, Report(780));

        Assert.Equal(DecisionOutcomes.Declined, decision.Outcome);
        Assert.Equal(DecisionEngine.DebtToIncomeTooHigh, Assert.Single(decision.Reasons).Code);
        Assert.True(decision.Inputs.DebtToIncome > Policy.MaxDebtToIncome);
    }

    [Fact]
    public void A_fraud_review_settles_the_application_before_any_bureau_pull()
    {
        var review = FraudApproves with { Action = FraudRecommendation.Review, Score = 45 };

        var decision = engine.ScreenFraud(Income, Housing, review);

        Assert.NotNull(decision);
        Assert.Equal(DecisionOutcomes.PendingReview, decision.Outcome);
        Assert.Null(decision.ScoreUsed);
    }

    [Fact]
    public void A_fraud_service_outage_goes_to_review_and_is_retried_automatically()
    {
        var decision = engine.ScreenFraud(Income, Housing, FraudFallback.ForApplication());

        Assert.Equal(DecisionOutcomes.PendingReview, decision!.Outcome);
        Assert.True(decision.RetryAutomatically);
    }

    [Fact]
    public void A_decline_names_at_most_four_reasons()
    {
        var decision = engine.Decide(100_000, 400_000, FraudApproves,
            Report(500, factors: [("10", "a"), ("02", "b"), ("14", "c"), ("08", "d")]));

        Assert.Equal(DecisionOutcomes.Declined, decision.Outcome);
        Assert.Equal(DecisionEngine.MaxReasons, decision.Reasons.Count);
        Assert.Equal(DecisionEngine.ScoreBelowMinimum, decision.Reasons[0].Code);
    }

    [Fact]
    public void A_prequalification_is_decided_without_a_fraud_score()
    {
        var decision = engine.Decide(Income, Housing, fraud: null, Report(700));

        Assert.Equal(DecisionOutcomes.Approved, decision.Outcome);
        Assert.Equal("not_assessed", decision.Inputs.FraudAction);
        Assert.NotNull(decision.Band);
    }

    private static BureauPullResult Report(int? score, bool frozen = false, (string Code, string Text)[]? factors = null) => new(
        new BureauCreditReport("rpt_test", "hard", score, "TestScore (300-850)",
            (factors ?? []).Select(f => new BureauScoreFactor(f.Code, f.Text)).ToList(),
            new BureauTradelines(8, 5, 100_000, 1_000_000, 0.1, 0, 120, 0, 0, 0, 0), [],
            new BureauFlags(false, false, frozen, false, false, false), "1234", DateTimeOffset.UtcNow),
        null);

    private static DecisionPolicy LoadShippedPolicy()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "Platform.Api.appsettings.json")).Build();
        return configuration.GetSection(DecisionPolicy.Section).Get<DecisionPolicy>()!;
    }
}
