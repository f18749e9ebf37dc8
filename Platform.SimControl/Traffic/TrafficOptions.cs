using System.ComponentModel.DataAnnotations;

namespace Platform.SimControl.Traffic;

/// <summary>Settings under <c>Traffic</c>: the bounds of what QA may ask for, and who the generator signs in as.</summary>
public sealed class TrafficOptions : IValidatableObject
{
    public const string SectionName = "Traffic";

    /// <summary>The highest rate a run may ask for (requests started per second).</summary>
    [Range(1, 10_000)]
    public int MaxRatePerSecond { get; set; } = 500;

    /// <summary>The longest a run may last; every run stops by itself at its own duration, at most this.</summary>
    [Range(1, 86_400)]
    public int MaxDurationSeconds { get; set; } = 3_600;

    /// <summary>Test cards a run uses when it does not say.</summary>
    [Range(1, 10_000)]
    public int DefaultCards { get; set; } = 50;

    [Range(1, 10_000)]
    public int MaxCards { get; set; } = 2_000;

    /// <summary>The platform API, found by service discovery (the AppHost's <c>api</c> resource).</summary>
    [Required]
    public string ApiBaseAddress { get; set; } = "https+http://api";

    /// <summary>The operator the generator signs in as (opens test accounts and cards, then spends on them).</summary>
    [EmailAddress]
    public string? OperatorEmail { get; set; }

    public string? OperatorPassword { get; set; }

    /// <summary>How long one generated request may take before it counts as unanswered.</summary>
    [Range(1, 120)]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Requests allowed in flight at once. Open loop: a request is started on schedule whether or not earlier ones
    /// answered, unless this many are still waiting; those beyond are counted as dropped, not queued.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxInFlight { get; set; } = 5_000;

    /// <summary>Credit limit of each test account, in minor units (large, so that traffic does not run them dry).</summary>
    [Range(1, 100_000_000_00)]
    public long CreditLimit { get; set; } = 1_000_000_000;

    /// <summary>How long preparing the test cards (opening accounts, waiting for the processor to issue) may take.</summary>
    [Range(5, 3_600)]
    public int PrepareTimeoutSeconds { get; set; } = 120;

    public bool HasCredentials => !string.IsNullOrWhiteSpace(OperatorEmail) && !string.IsNullOrEmpty(OperatorPassword);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultCards > MaxCards) yield return new ValidationResult("DefaultCards must not exceed MaxCards.", [nameof(DefaultCards)]);
        if (string.IsNullOrWhiteSpace(OperatorEmail) != string.IsNullOrEmpty(OperatorPassword))
            yield return new ValidationResult("OperatorEmail and OperatorPassword are given together or not at all.", [nameof(OperatorPassword)]);
    }
}
