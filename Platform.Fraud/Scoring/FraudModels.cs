using Microsoft.Extensions.Options;

namespace Platform.Fraud.Scoring;

/// <summary>Both shipped models, loaded from <see cref="FraudOptions.ModelDirectory"/> when first needed (the warm-up does that at start).</summary>
internal sealed class FraudModels
{
    public FraudModels(IOptions<FraudOptions> options)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, options.Value.ModelDirectory);
        var engines = options.Value.PredictionEnginesPerModel;
        Transaction = FraudModel<TransactionModelInput>.Load(
            Path.Combine(directory, ModelCatalog.TransactionModelFile), ModelCatalog.TransactionKind, engines);
        Application = FraudModel<ApplicationModelInput>.Load(
            Path.Combine(directory, ModelCatalog.ApplicationModelFile), ModelCatalog.ApplicationKind, engines);
    }

    public FraudModels(FraudModel<TransactionModelInput> transaction, FraudModel<ApplicationModelInput> application)
    {
        Transaction = transaction;
        Application = application;
    }

    public FraudModel<TransactionModelInput> Transaction { get; }

    public FraudModel<ApplicationModelInput> Application { get; }
}
