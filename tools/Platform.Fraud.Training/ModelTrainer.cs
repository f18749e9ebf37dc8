using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Platform.Fraud.Features;
using Platform.Fraud.Scoring;

namespace Platform.Fraud.Training;

/// <summary>How much data to generate and how big a model to grow.</summary>
internal sealed record TrainingSettings(
    int Seed,
    int Cards,
    int TransactionDays,
    int Applicants,
    int ApplicationDays,
    int Trees,
    int Leaves,
    int MinimumExamplesPerLeaf,
    double LearningRate)
{
    /// <summary>What the shipped models are trained with.</summary>
    public static TrainingSettings Full => new(Seed: 20261126, Cards: 3000, TransactionDays: 30, Applicants: 30000,
        ApplicationDays: 60, Trees: 200, Leaves: 24, MinimumExamplesPerLeaf: 20, LearningRate: 0.1);

    /// <summary>A smaller run for tests: a few seconds, a little lower AUC.</summary>
    public static TrainingSettings Quick => Full with { Cards = 1000, Applicants = 10000, Trees = 80 };
}

internal sealed record TrainedModel(string Kind, byte[] ModelBytes, ModelEvaluation Evaluation);

/// <summary>
/// Generates data, trains one FastTree model per kind, evaluates it on an independently generated hold-out set
/// (another seed: other cards, other people) and packs it with a feature-contribution stage for reasons.
/// Deterministic: seeded generators, a seeded single-threaded trainer, and model archives with fixed entry times.
/// </summary>
internal static class ModelTrainer
{
    /// <summary>The hold-out world's seed is the training seed plus this.</summary>
    public const int HoldOutSeedOffset = 1_000_003;

    public static TrainedModel TrainTransactions(TrainingSettings settings)
    {
        var train = TransactionRows(settings.Seed, settings);
        var test = TransactionRows(settings.Seed + HoldOutSeedOffset, settings);
        return Train<TransactionModelInput>(ModelCatalog.TransactionKind, train, test, settings, ModelCatalog.Transaction);
    }

    public static TrainedModel TrainApplications(TrainingSettings settings)
    {
        var train = ApplicationRows(settings.Seed, settings);
        var test = ApplicationRows(settings.Seed + HoldOutSeedOffset, settings);
        return Train<ApplicationModelInput>(ModelCatalog.ApplicationKind, train, test, settings, ModelCatalog.Application);
    }

    public static List<TransactionModelInput> TransactionRows(int seed, TrainingSettings settings)
    {
        var velocity = new InMemoryVelocityStore();
        var rows = new List<TransactionModelInput>();
        foreach (var labelled in TransactionDataGenerator.Generate(seed, settings.Cards, settings.TransactionDays))
        {
            var row = new TransactionModelInput { Label = labelled.IsFraud };
            TransactionFeatures.Build(labelled.Event, velocity.RecordTransaction(labelled.Event), row.Features);
            rows.Add(row);
        }
        return rows;
    }

    public static List<ApplicationModelInput> ApplicationRows(int seed, TrainingSettings settings)
    {
        var velocity = new InMemoryVelocityStore();
        var rows = new List<ApplicationModelInput>();
        foreach (var labelled in ApplicationDataGenerator.Generate(seed, settings.Applicants, settings.ApplicationDays))
        {
            var row = new ApplicationModelInput { Label = labelled.IsFraud };
            ApplicationFeatures.Build(labelled.Event, velocity.RecordApplication(labelled.Event), row.Features);
            rows.Add(row);
        }
        return rows;
    }

    private static TrainedModel Train<TInput>(string kind, List<TInput> train, List<TInput> test, TrainingSettings settings, OperatingPoint operatingPoint)
        where TInput : class, IModelInput, new()
    {
        var ml = new MLContext(seed: settings.Seed);
        var trainData = ml.Data.LoadFromEnumerable(train);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(IModelInput.Label),
            FeatureColumnName = nameof(IModelInput.Features),
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumExamplesPerLeaf,
            LearningRate = settings.LearningRate,
            // Determinism: one thread, a fixed seed, no sampling of rows or features.
            NumberOfThreads = 1,
            Seed = settings.Seed,
            FeatureFraction = 1,
            BaggingSize = 0,
        });
        var model = trainer.Fit(trainData);
        var featureCount = new TInput().Features.Length;
        var contributions = ml.Transforms.CalculateFeatureContribution(model,
            numberOfPositiveContributions: featureCount, numberOfNegativeContributions: featureCount, normalize: false)
            .Fit(model.Transform(trainData));
        var chain = model.Append(contributions);

        byte[] bytes;
        using (var saved = new MemoryStream())
        {
            ml.Model.Save(chain, trainData.Schema, saved);
            bytes = Normalise(saved.ToArray());
        }
        // Evaluate the packed model exactly as the service will load it.
        var loaded = ml.Model.Load(new MemoryStream(bytes), out _);
        var predictions = loaded.Transform(ml.Data.LoadFromEnumerable(test));
        var metrics = ml.BinaryClassification.Evaluate(predictions, labelColumnName: nameof(IModelInput.Label));
        var scored = ml.Data.CreateEnumerable<ScoredRow>(predictions, reuseRowObject: false)
            .Select(r => (r.Label, Score: FraudScorer.ToScore(r.Probability))).ToList();
        var evaluation = ModelEvaluation.Create(kind, FraudModel<TInput>.VersionOf(kind, bytes), train.Count,
            train.Count(r => r.Label), metrics, scored, operatingPoint);
        return new TrainedModel(kind, bytes, evaluation);
    }

    /// <summary>
    /// ML.NET writes the model as a zip whose entries carry the current time; rewriting them with a fixed time makes
    /// the same model the same bytes (and so the same version).
    /// </summary>
    private static byte[] Normalise(byte[] zip)
    {
        var fixedTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var copy = archive.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                copy.LastWriteTime = fixedTime;
                using var from = entry.Open();
                using var to = copy.Open();
                from.CopyTo(to);
            }
        }
        return output.ToArray();
    }

    private sealed class ScoredRow
    {
        public bool Label { get; set; }

        public float Probability { get; set; }
    }
}
