using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Underwriting;

/// <summary>Settings under <c>Underwriting</c> (the credit policy itself is <see cref="DecisionPolicy"/>).</summary>
public sealed class UnderwritingOptions
{
    public const string Section = "Underwriting";

    /// <summary>An applicant applying again within this many days gets their existing application, not another hard pull.</summary>
    [Range(0, 365)]
    public int DuplicateWindowDays { get; set; } = 30;

    /// <summary>First automatic retry of an application waiting for the bureau; doubles per attempt up to <see cref="RetryMaxSeconds"/>.</summary>
    [Range(1, 3_600)]
    public int RetryBaseSeconds { get; set; } = 5;

    [Range(1, 86_400)]
    public int RetryMaxSeconds { get; set; } = 900;

    /// <summary>After this many evaluations (the first included) an application stays in review for a person.</summary>
    [Range(1, 1_000)]
    public int MaxAutomaticAttempts { get; set; } = 20;

    /// <summary>How often each instance looks for due retries.</summary>
    [Range(50, 60_000)]
    public int RetryPollMs { get; set; } = 1_000;

    /// <summary>
    /// How long one evaluation may hold an application before another instance may take it over (also the grace an
    /// interrupted intake gets before the worker finishes it).
    /// </summary>
    [Range(5, 3_600)]
    public int LeaseSeconds { get; set; } = 60;

    [Range(1, 100)]
    public int RetryBatchSize { get; set; } = 10;
}
