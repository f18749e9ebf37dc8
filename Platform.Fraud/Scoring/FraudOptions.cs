using System.ComponentModel.DataAnnotations;

namespace Platform.Fraud.Scoring;

/// <summary>Settings under <c>Fraud</c>. Checked at start-up: a missing hash key stops the service with its name.</summary>
internal sealed class FraudOptions
{
    public const string Section = "Fraud";

    /// <summary>
    /// The HMAC key identifiers are hashed with before they become Redis keys. Secret; at least 32 characters.
    /// Changing it starts velocity afresh (old keys are no longer found and expire on their own).
    /// </summary>
    [Required, MinLength(32)]
    public string VelocityHashKey { get; set; } = "";

    /// <summary>
    /// How long a transaction score waits for Redis before it scores with default velocity (degraded). The API
    /// abandons a transaction score after 40 ms; 20 ms here leaves the rest for transport and queueing, and a
    /// degraded score (model on the transaction's own features) is worth more than the API's coarse fallback.
    /// </summary>
    [Range(1, 1000)]
    public int TransactionVelocityTimeoutMs { get; set; } = 20;

    /// <summary>The same for an application score, whose budget is ten times larger.</summary>
    [Range(1, 5000)]
    public int ApplicationVelocityTimeoutMs { get; set; } = 100;

    /// <summary>Where the model files are, relative to the application's folder unless absolute.</summary>
    [Required]
    public string ModelDirectory { get; set; } = ModelCatalog.Directory;

    /// <summary>Prediction engines kept per model; more are made under a burst and dropped after it.</summary>
    [Range(1, 1024)]
    public int PredictionEnginesPerModel { get; set; } = Math.Max(16, Environment.ProcessorCount * 4);
}
