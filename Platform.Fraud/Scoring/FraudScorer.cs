using System.Diagnostics;
using Platform.Fraud.Features;

namespace Platform.Fraud.Scoring;

/// <summary>The outcome of one score, before it becomes a response.</summary>
internal sealed record FraudScore(
    int Score,
    RiskLevel RiskLevel,
    FraudAction Action,
    IReadOnlyList<Reason> Reasons,
    string ModelVersion,
    double ScoringTimeMs,
    bool Degraded);

/// <summary>
/// Scores transactions and applications: velocity (Redis, within its budget), features, model, reasons, metrics.
/// The model part is synchronous and allocation-light (features and contributions live on the stack).
/// </summary>
internal sealed class FraudScorer(FraudModels models, VelocityReader velocity, FraudTelemetry telemetry)
{
    public const int MaxReasons = 4;

    public async Task<FraudScore> ScoreTransactionAsync(TransactionEvent transaction, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = FraudTelemetry.Source.StartActivity("fraud.score transaction");
        var (cardVelocity, degraded) = await velocity.ForTransactionAsync(transaction, cancellationToken);
        var score = ScoreTransaction(transaction, cardVelocity, degraded, started);
        Annotate(activity, score);
        telemetry.Record(ModelCatalog.TransactionKind, score);
        return score;
    }

    public async Task<FraudScore> ScoreApplicationAsync(ApplicationEvent application, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = FraudTelemetry.Source.StartActivity("fraud.score application");
        var (applicationVelocity, degraded) = await velocity.ForApplicationAsync(application, cancellationToken);
        var score = ScoreApplication(application, applicationVelocity, degraded, started);
        Annotate(activity, score);
        telemetry.Record(ModelCatalog.ApplicationKind, score);
        return score;
    }

    /// <summary>The model part of a transaction score, given its velocity; no I/O.</summary>
    public FraudScore ScoreTransaction(TransactionEvent transaction, in CardVelocity cardVelocity, bool degraded, long started)
    {
        Span<float> features = stackalloc float[TransactionFeatures.Count];
        Span<float> contributions = stackalloc float[TransactionFeatures.Count];
        TransactionFeatures.Build(transaction, cardVelocity, features);
        var probability = models.Transaction.Predict(features, contributions);

        Span<int> order = stackalloc int[TransactionFeatures.Count];
        var reasons = PickReasons(features, contributions, order, transaction, TransactionFeatures.Describe);
        return Finish(probability, ModelCatalog.Transaction, reasons, models.Transaction.Version, degraded, started);
    }

    /// <summary>The model part of an application score, given its velocity; no I/O.</summary>
    public FraudScore ScoreApplication(ApplicationEvent application, in ApplicationVelocity applicationVelocity, bool degraded, long started)
    {
        Span<float> features = stackalloc float[ApplicationFeatures.Count];
        Span<float> contributions = stackalloc float[ApplicationFeatures.Count];
        ApplicationFeatures.Build(application, applicationVelocity, features);
        var probability = models.Application.Predict(features, contributions);

        Span<int> order = stackalloc int[ApplicationFeatures.Count];
        var reasons = PickReasons(features, contributions, order, application, ApplicationFeatures.Describe);
        return Finish(probability, ModelCatalog.Application, reasons, models.Application.Version, degraded, started);
    }

    private delegate Reason? DescribeFeature<TInput>(int feature, ReadOnlySpan<float> features, TInput input);

    /// <summary>Up to <see cref="MaxReasons"/> distinct reasons, from the features that raised the score most.</summary>
    private static List<Reason> PickReasons<TInput>(
        ReadOnlySpan<float> features, ReadOnlySpan<float> contributions, Span<int> order, TInput input, DescribeFeature<TInput> describe)
    {
        var reasons = new List<Reason>(MaxReasons);
        foreach (var feature in ByContribution(contributions, order))
        {
            if (describe(feature, features, input) is { } reason)
            {
                AddDistinct(reasons, reason);
                if (reasons.Count == MaxReasons)
                {
                    break;
                }
            }
        }
        return reasons;
    }

    /// <summary>Feature indexes whose contribution raised the score, largest first.</summary>
    private static ReadOnlySpan<int> ByContribution(ReadOnlySpan<float> contributions, Span<int> order)
    {
        var count = 0;
        for (var i = 0; i < contributions.Length; i++)
        {
            if (contributions[i] > 0)
            {
                // Insertion sort: at most a couple of dozen features.
                var at = count++;
                while (at > 0 && contributions[order[at - 1]] < contributions[i])
                {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = i;
            }
        }
        return order[..count];
    }

    private static void AddDistinct(List<Reason> reasons, Reason reason)
    {
        foreach (var existing in reasons)
        {
            if (existing.Code == reason.Code)
            {
                return;
            }
        }
        reasons.Add(reason);
    }

    private static FraudScore Finish(float probability, OperatingPoint operatingPoint, List<Reason> reasons, string version, bool degraded, long started)
    {
        var score = ToScore(probability);
        var (level, action) = operatingPoint.Classify(score);
        return new FraudScore(score, level, action, reasons, version, Stopwatch.GetElapsedTime(started).TotalMilliseconds, degraded);
    }

    /// <summary>The calibrated fraud probability as a whole number from 0 to 100.</summary>
    public static int ToScore(float probability) =>
        float.IsNaN(probability) ? 0 : (int)Math.Round(Math.Clamp(probability, 0f, 1f) * 100, MidpointRounding.AwayFromZero);

    private static void Annotate(Activity? activity, FraudScore score)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag("fraud.score", score.Score);
        activity.SetTag("fraud.action", score.Action.Name());
        activity.SetTag("fraud.degraded", score.Degraded);
        activity.SetTag("fraud.model_version", score.ModelVersion);
    }
}
