using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Platform.Fraud.Scoring;

namespace Platform.Fraud.Training;

/// <summary>
/// <c>dotnet run --project tools/Platform.Fraud.Training -- [--out DIR] [--quick] [--seed N]</c>: regenerates the synthetic
/// data, trains both models, evaluates them on held-out data, prints the evaluation and writes the model files and
/// evaluation.json to Platform.Fraud/Model (found from the current folder) unless --out says otherwise.
/// Exits 1 when a model falls below its floor (the files are written all the same, to look at).
/// </summary>
internal static class TrainingCommand
{
    public static int Main(string[] args)
    {
        var settings = args.Contains("--quick") ? TrainingSettings.Quick : TrainingSettings.Full;
        if (Option(args, "--seed") is { } seed)
        {
            settings = settings with { Seed = int.Parse(seed, CultureInfo.InvariantCulture) };
        }
        var output = Option(args, "--out") ?? FindModelDirectory();
        if (output is null)
        {
            Console.Error.WriteLine("Cannot find Platform.Fraud/Model from here; run from the repository root or pass --out DIR.");
            return 2;
        }
        Directory.CreateDirectory(output);

        var started = Stopwatch.GetTimestamp();
        var transaction = ModelTrainer.TrainTransactions(settings);
        Console.WriteLine($"transaction model trained in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        started = Stopwatch.GetTimestamp();
        var application = ModelTrainer.TrainApplications(settings);
        Console.WriteLine($"application model trained in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");

        File.WriteAllBytes(Path.Combine(output, ModelCatalog.TransactionModelFile), transaction.ModelBytes);
        File.WriteAllBytes(Path.Combine(output, ModelCatalog.ApplicationModelFile), application.ModelBytes);
        var report = EvaluationReport.Create(settings, [transaction.Evaluation, application.Evaluation]);
        File.WriteAllText(Path.Combine(output, ModelCatalog.EvaluationFile), JsonSerializer.Serialize(report, EvaluationReport.JsonOptions) + "\n");

        Console.WriteLine();
        Console.WriteLine("model                     rows(test)  fraud   ROC AUC  PR AUC   review: thr prec   recall   decline: thr prec   recall");
        foreach (var e in report.Models)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.ModelVersion,-25} {e.TestRows,10}  {e.TestFraudRate,5:P1}  {e.RocAuc,7:0.0000}  {e.PrAuc,6:0.0000}   {e.Review.Threshold,11} {e.Review.Precision,6:0.000} {e.Review.Recall,6:0.000}   {e.Decline.Threshold,12} {e.Decline.Precision,6:0.000} {e.Decline.Recall,6:0.000}"));
        }
        Console.WriteLine($"written to {Path.GetFullPath(output)}");

        var failures = report.Models.SelectMany(EvaluationFloors.Check).ToList();
        failures.ForEach(f => Console.Error.WriteLine("below floor: " + f));
        return failures.Count == 0 ? 0 : 1;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>Platform.Fraud/Model under the current folder or one of its parents (or the current folder is Platform.Fraud).</summary>
    private static string? FindModelDirectory()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.Fraud.csproj")))
            {
                return Path.Combine(directory.FullName, ModelCatalog.Directory);
            }
            var project = Path.Combine(directory.FullName, "Platform.Fraud");
            if (File.Exists(Path.Combine(project, "Platform.Fraud.csproj")))
            {
                return Path.Combine(project, ModelCatalog.Directory);
            }
        }
        return null;
    }
}
