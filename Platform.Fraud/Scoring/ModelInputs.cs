using Microsoft.ML.Data;
using Platform.Fraud.Features;

namespace Platform.Fraud.Scoring;

/// <summary>One row for an ML.NET model: the feature vector and, in training, the label.</summary>
internal interface IModelInput
{
    bool Label { get; set; }

    float[] Features { get; }
}

internal sealed class TransactionModelInput : IModelInput
{
    public bool Label { get; set; }

    [VectorType(TransactionFeatures.Count)]
    public float[] Features { get; set; } = new float[TransactionFeatures.Count];
}

internal sealed class ApplicationModelInput : IModelInput
{
    public bool Label { get; set; }

    [VectorType(ApplicationFeatures.Count)]
    public float[] Features { get; set; } = new float[ApplicationFeatures.Count];
}

/// <summary>What the saved model chain produces: a calibrated probability and each feature's contribution to it.</summary>
internal sealed class ModelOutput
{
    public float Probability { get; set; }

    public float[] FeatureContributions { get; set; } = [];
}
