using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Integrations.Fraud;

/// <summary>Settings under <c>Fraud</c> for the API's fraud clients, checked at start-up.</summary>
public sealed class FraudClientOptions
{
    public const string Section = "Fraud";

    /// <summary>Resolved by service discovery; the AppHost's reference to the <c>fraud</c> resource provides it.</summary>
    [Required]
    public string BaseAddress { get; set; } = "https+http://fraud";

    /// <summary>The internal key the fraud service demands (the AppHost generates it; never in the repository). Sent as <c>X-Api-Key</c> on every call.</summary>
    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// Everything a transaction score may take, connection included; no retry (a second try cannot fit). The
    /// authorization budget is 50 ms for the fraud call and about 100 ms end to end.
    /// </summary>
    [Range(5, 49)]
    public int TransactionTimeoutMs { get; set; } = 40;

    /// <summary>Everything an application score may take, retry included (budget: 500 ms).</summary>
    [Range(50, 499)]
    public int ApplicationTimeoutMs { get; set; } = 450;

    /// <summary>One application attempt; a timed-out or failed attempt is retried once if time remains.</summary>
    [Range(20, 499)]
    public int ApplicationAttemptTimeoutMs { get; set; } = 200;

    /// <summary>The transaction fallback approves amounts up to this many minor units and declines above it.</summary>
    [Range(0, long.MaxValue)]
    public long FallbackApproveUpToMinor { get; set; } = 5_000;
}
