namespace Platform.Api.Integrations.Fraud;

/// <summary>Whether the fraud service actually scored, or the fallback rule decided.</summary>
public enum FraudCheckStatus
{
    /// <summary>The fraud service answered within the budget.</summary>
    Completed,

    /// <summary>The fraud service was late, failing or its circuit was open: <see cref="FraudFallback"/> decided.</summary>
    Unavailable,
}

public enum FraudRecommendation
{
    Approve,
    Review,
    Decline,
}

/// <summary>
/// What the API acts on: the fraud service's recommendation, or the fallback's when it could not answer in time.
/// <see cref="Score"/>, <see cref="RiskLevel"/> and <see cref="ModelVersion"/> are null when
/// <see cref="FraudCheck"/> is <see cref="FraudCheckStatus.Unavailable"/>.
/// </summary>
public sealed record FraudAssessment(
    FraudCheckStatus FraudCheck,
    FraudRecommendation Action,
    int? Score,
    string? RiskLevel,
    IReadOnlyList<FraudReason> Reasons,
    string? ModelVersion,
    bool Degraded)
{
    internal static FraudAssessment From(FraudScoreResponse response) => new(
        FraudCheckStatus.Completed,
        response.Action switch
        {
            "approve" => FraudRecommendation.Approve,
            "review" => FraudRecommendation.Review,
            _ => FraudRecommendation.Decline,
        },
        response.Score, response.RiskLevel, response.Reasons, response.ModelVersion, response.Degraded);
}

/// <summary>
/// The rule the API applies when the fraud service does not answer within its budget (late, failing, or its
/// circuit open):
/// <list type="bullet">
/// <item>Transaction: approve when the amount is at most <see cref="FraudClientOptions.FallbackApproveUpToMinor"/>
/// (default 5000 minor units, 50.00), decline above it. A small purchase is not worth refusing a customer for; a large
/// one is not worth the risk unscored.</item>
/// <item>Application: refer to manual review. An application is never approved or declined without a fraud score.</item>
/// </list>
/// Either way the assessment says <see cref="FraudCheckStatus.Unavailable"/> and carries the reason code
/// <see cref="UnavailableCode"/>, so the decision record shows that fraud was not checked.
/// </summary>
public static class FraudFallback
{
    public const string UnavailableCode = "FRAUD_CHECK_UNAVAILABLE";

    public static FraudAssessment ForTransaction(long amountMinor, long approveUpToMinor)
    {
        var approve = amountMinor <= approveUpToMinor;
        return Unavailable(approve ? FraudRecommendation.Approve : FraudRecommendation.Decline,
            approve
                ? "Fraud check unavailable; approved under the small-amount fallback rule"
                : "Fraud check unavailable; declined because the amount is above the fallback limit");
    }

    public static FraudAssessment ForApplication() =>
        Unavailable(FraudRecommendation.Review, "Fraud check unavailable; referred to manual review");

    private static FraudAssessment Unavailable(FraudRecommendation action, string description) =>
        new(FraudCheckStatus.Unavailable, action, null, null, [new FraudReason(UnavailableCode, description)], null, false);
}
