using System.Text.Json;
using Platform.Fraud.Scoring;
using Platform.Fraud.Training;

namespace Platform.Fraud.Tests;

public sealed class ModelTrainingTests
{
    [Fact]
    public void A_retrained_transaction_model_meets_its_floors()
    {
        var trained = ModelTrainer.TrainTransactions(TrainingSettings.Quick);

        Assert.Empty(EvaluationFloors.Check(trained.Evaluation));
        Assert.True(trained.Evaluation.RocAuc >= EvaluationFloors.TransactionRocAuc, $"AUC {trained.Evaluation.RocAuc}");
    }

    [Fact]
    public void A_retrained_application_model_meets_its_floors()
    {
        var trained = ModelTrainer.TrainApplications(TrainingSettings.Quick);

        Assert.Empty(EvaluationFloors.Check(trained.Evaluation));
        Assert.True(trained.Evaluation.RocAuc >= EvaluationFloors.ApplicationRocAuc, $"AUC {trained.Evaluation.RocAuc}");
    }

    [Fact]
    public void Training_twice_with_the_same_settings_gives_the_same_bytes()
    {
        var settings = TrainingSettings.Quick with { Applicants = 4000, Trees = 40 };

        var first = ModelTrainer.TrainApplications(settings);
        var second = ModelTrainer.TrainApplications(settings);

        Assert.Equal(first.ModelBytes, second.ModelBytes);
        Assert.Equal(first.Evaluation, second.Evaluation);
    }

    [Fact]
    public void The_shipped_evaluation_describes_the_shipped_models_and_meets_the_floors()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, ModelCatalog.Directory);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, ModelCatalog.EvaluationFile)));
        var models = report.RootElement.GetProperty("models").EnumerateArray()
            .Select(m => m.Deserialize<ModelEvaluation>(EvaluationReport.JsonOptions)!).ToList();

        Assert.Equal([ModelCatalog.TransactionKind, ModelCatalog.ApplicationKind], models.Select(m => m.Kind));
        Assert.Equal(Scenarios.Models.Transaction.Version, models[0].ModelVersion);
        Assert.Equal(Scenarios.Models.Application.Version, models[1].ModelVersion);
        Assert.All(models, m => Assert.Empty(EvaluationFloors.Check(m)));
        Assert.Contains("Bit-for-bit", report.RootElement.GetProperty("reproducibility").GetString());
    }
}
