namespace Platform.Fraud.Scoring;

/// <summary>The model files the service ships and the training command writes, and how scores map to decisions.</summary>
internal static class ModelCatalog
{
    public const string Directory = "Model";
    public const string TransactionModelFile = "transaction-model.zip";
    public const string ApplicationModelFile = "application-model.zip";
    public const string EvaluationFile = "evaluation.json";

    public const string TransactionKind = "transaction";
    public const string ApplicationKind = "application";

    public static readonly OperatingPoint Transaction = new(ReviewAt: 30, DeclineAt: 70);
    public static readonly OperatingPoint Application = new(ReviewAt: 30, DeclineAt: 70);
}

/// <summary>
/// Score bands: below <see cref="ReviewAt"/> low risk and approve, from it elevated and review, from
/// <see cref="DeclineAt"/> high and decline. The evaluation reports precision and recall at both cut-offs.
/// </summary>
internal sealed record OperatingPoint(int ReviewAt, int DeclineAt)
{
    public (RiskLevel Level, FraudAction Action) Classify(int score) =>
        score >= DeclineAt ? (RiskLevel.High, FraudAction.Decline)
        : score >= ReviewAt ? (RiskLevel.Elevated, FraudAction.Review)
        : (RiskLevel.Low, FraudAction.Approve);
}

internal enum RiskLevel
{
    Low,
    Elevated,
    High,
}

internal enum FraudAction
{
    Approve,
    Review,
    Decline,
}

internal static class DecisionNames
{
    public static string Name(this RiskLevel level) => level switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Elevated => "elevated",
        _ => "high",
    };

    public static string Name(this FraudAction action) => action switch
    {
        FraudAction.Approve => "approve",
        FraudAction.Review => "review",
        _ => "decline",
    };
}
