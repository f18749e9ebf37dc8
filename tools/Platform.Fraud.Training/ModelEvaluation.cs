using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Data;
using Platform.Fraud.Scoring;

namespace Platform.Fraud.Training;

/// <summary>Precision and recall when everything scoring at least <see cref="Threshold"/> is flagged.</summary>
public sealed record ThresholdMetrics(int Threshold, double Precision, double Recall, double FlaggedShare);

/// <summary>How one model did on its hold-out set.</summary>
public sealed record ModelEvaluation(
    string Kind,
    string ModelVersion,
    int TrainRows,
    double TrainFraudRate,
    int TestRows,
    double TestFraudRate,
    double RocAuc,
    double PrAuc,
    ThresholdMetrics Review,
    ThresholdMetrics Decline)
{
    internal static ModelEvaluation Create(string kind, string version, int trainRows, int trainFraud,
        CalibratedBinaryClassificationMetrics metrics, IReadOnlyList<(bool Label, int Score)> scored, OperatingPoint operatingPoint)
    {
        var positives = scored.Count(s => s.Label);
        return new ModelEvaluation(kind, version, trainRows, Round((double)trainFraud / trainRows), scored.Count,
            Round((double)positives / scored.Count), Round(metrics.AreaUnderRocCurve), Round(metrics.AreaUnderPrecisionRecallCurve),
            At(operatingPoint.ReviewAt, scored, positives), At(operatingPoint.DeclineAt, scored, positives));
    }

    private static ThresholdMetrics At(int threshold, IReadOnlyList<(bool Label, int Score)> scored, int positives)
    {
        int flagged = 0, caught = 0;
        foreach (var (label, score) in scored)
        {
            if (score >= threshold)
            {
                flagged++;
                if (label)
                {
                    caught++;
                }
            }
        }
        return new ThresholdMetrics(threshold, Round(flagged == 0 ? 1 : (double)caught / flagged),
            Round(positives == 0 ? 0 : (double)caught / positives), Round((double)flagged / scored.Count));
    }

    private static double Round(double value) => Math.Round(value, 4);
}

/// <summary>Evaluation floors: a retrained model below them fails the tests (and the training command).</summary>
public static class EvaluationFloors
{
    public const double TransactionRocAuc = 0.97;
    public const double ApplicationRocAuc = 0.92;
    /// <summary>At the review cut-off, at least this share of fraud is flagged.</summary>
    public const double RecallAtReview = 0.6;
    /// <summary>At the decline cut-off, at least this share of what is declined is fraud.</summary>
    public const double PrecisionAtDecline = 0.7;

    public static IReadOnlyList<string> Check(ModelEvaluation evaluation)
    {
        var floor = evaluation.Kind == ModelCatalog.TransactionKind ? TransactionRocAuc : ApplicationRocAuc;
        var failures = new List<string>();
        if (evaluation.RocAuc < floor)
        {
            failures.Add($"{evaluation.Kind}: ROC AUC {evaluation.RocAuc} < {floor}");
        }
        if (evaluation.Review.Recall < RecallAtReview)
        {
            failures.Add($"{evaluation.Kind}: recall at review {evaluation.Review.Recall} < {RecallAtReview}");
        }
        if (evaluation.Decline.Precision < PrecisionAtDecline)
        {
            failures.Add($"{evaluation.Kind}: precision at decline {evaluation.Decline.Precision} < {PrecisionAtDecline}");
        }
        return failures;
    }
}

/// <summary>The evaluation file kept next to the models (Model/evaluation.json).</summary>
public sealed record EvaluationReport(
    string Reproducibility,
    string Generator,
    object Settings,
    object OperatingPoints,
    object Floors,
    IReadOnlyList<ModelEvaluation> Models)
{
    internal static EvaluationReport Create(TrainingSettings settings, IReadOnlyList<ModelEvaluation> models) => new(
        Reproducibility:
            "Bit-for-bit: `dotnet run --project tools/Platform.Fraud.Training` with these settings rewrites identical model files " +
            "(seeded generators, seeded single-threaded FastTree, zip entries with a fixed time), so the model versions " +
            "(SHA-256 of each file) do not change. Checked on .NET 10 / x64 Linux; on another runtime or CPU architecture " +
            "floating-point differences may change the bytes, and the metrics are then expected within 0.005 of these.",
        Generator: "Synthetic, seeded: tools/Platform.Fraud.Training/TransactionDataGenerator.cs and ApplicationDataGenerator.cs. " +
            "Hold-out set: generated independently with seed + " + ModelTrainer.HoldOutSeedOffset + ".",
        Settings: settings,
        OperatingPoints: new
        {
            transaction = ModelCatalog.Transaction,
            application = ModelCatalog.Application,
            rule = "score < reviewAt: low risk, approve; reviewAt <= score < declineAt: elevated, review; score >= declineAt: high, decline",
        },
        Floors: new
        {
            transactionRocAuc = EvaluationFloors.TransactionRocAuc,
            applicationRocAuc = EvaluationFloors.ApplicationRocAuc,
            recallAtReview = EvaluationFloors.RecallAtReview,
            precisionAtDecline = EvaluationFloors.PrecisionAtDecline,
        },
        Models: models);

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A file for people: keep <, >, + and backticks readable (nothing here is embedded in HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
