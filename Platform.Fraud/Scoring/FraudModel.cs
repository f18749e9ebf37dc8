using System.Security.Cryptography;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace Platform.Fraud.Scoring;

/// <summary>
/// A trained model, loaded once and shared. ML.NET's <see cref="PredictionEngine{TSrc,TDst}"/> is not thread-safe,
/// so each caller rents one from a pool together with its input and output buffers, which are reused: a prediction
/// allocates nothing of its own beyond what ML.NET does inside.
/// </summary>
internal sealed class FraudModel<TInput> where TInput : class, IModelInput, new()
{
    private readonly ObjectPool<PredictionSession> sessions;

    private FraudModel(string version, ObjectPool<PredictionSession> sessions, int featureCount)
    {
        Version = version;
        this.sessions = sessions;
        FeatureCount = featureCount;
    }

    /// <summary>The kind and the first 12 hex digits of the model file's SHA-256: the same file, the same version.</summary>
    public string Version { get; }

    public int FeatureCount { get; }

    public static FraudModel<TInput> Load(string path, string kind, int poolSize)
    {
        var bytes = File.ReadAllBytes(path);
        return Load(bytes, kind, poolSize);
    }

    public static FraudModel<TInput> Load(byte[] modelBytes, string kind, int poolSize)
    {
        var ml = new MLContext();
        using var stream = new MemoryStream(modelBytes, writable: false);
        var transformer = ml.Model.Load(stream, out _);
        var featureCount = new TInput().Features.Length;
        var pool = new DefaultObjectPool<PredictionSession>(new SessionPolicy(ml, transformer, featureCount), poolSize);
        return new FraudModel<TInput>(VersionOf(kind, modelBytes), pool, featureCount);
    }

    public static string VersionOf(string kind, byte[] modelBytes) =>
        kind + "-" + Convert.ToHexStringLower(SHA256.HashData(modelBytes))[..12];

    /// <summary>Creates <paramref name="count"/> engines up front and runs each once, so no request pays for that.</summary>
    public void Warm(int count)
    {
        var rented = new List<PredictionSession>(count);
        Span<float> features = stackalloc float[FeatureCount];
        Span<float> contributions = stackalloc float[FeatureCount];
        for (var i = 0; i < count; i++)
        {
            var session = sessions.Get();
            rented.Add(session);
            features.CopyTo(session.Input.Features);
            var output = session.Output;
            session.Engine.Predict(session.Input, ref output);
            session.Output = output;
        }
        rented.ForEach(sessions.Return);
        for (var i = 0; i < 200; i++)
        {
            Predict(features, contributions);
        }
    }

    /// <summary>Scores one feature vector; writes each feature's contribution (in model units) to <paramref name="contributions"/>.</summary>
    public float Predict(ReadOnlySpan<float> features, Span<float> contributions)
    {
        var session = sessions.Get();
        try
        {
            features.CopyTo(session.Input.Features);
            var output = session.Output;
            session.Engine.Predict(session.Input, ref output);
            session.Output = output;
            var computed = output.FeatureContributions;
            if (computed.Length == contributions.Length)
            {
                computed.CopyTo(contributions);
            }
            else
            {
                contributions.Clear();
            }
            return output.Probability;
        }
        finally
        {
            sessions.Return(session);
        }
    }

    private sealed class PredictionSession(PredictionEngine<TInput, ModelOutput> engine, int featureCount)
    {
        public PredictionEngine<TInput, ModelOutput> Engine { get; } = engine;
        public TInput Input { get; } = new();
        public ModelOutput Output { get; set; } = new() { FeatureContributions = new float[featureCount] };
    }

    private sealed class SessionPolicy(MLContext ml, ITransformer transformer, int featureCount) : PooledObjectPolicy<PredictionSession>
    {
        public override PredictionSession Create() =>
            new(ml.Model.CreatePredictionEngine<TInput, ModelOutput>(transformer, ignoreMissingColumns: true), featureCount);

        public override bool Return(PredictionSession session) => true;
    }
}
