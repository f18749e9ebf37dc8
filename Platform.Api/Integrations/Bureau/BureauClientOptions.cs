using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Integrations.Bureau;

/// <summary>Settings under <c>Bureau</c> for the credit bureau client, checked at start-up.</summary>
public sealed class BureauClientOptions
{
    public const string Section = "Bureau";

    /// <summary>Resolved by service discovery (bureau-sim is hosted by simcontrol); a real bureau is a base address.</summary>
    [Required]
    public string BaseAddress { get; set; } = "https+http://simcontrol";

    /// <summary>The platform's subscriber credential at the bureau (the AppHost generates it; never in the repository). Sent as <c>X-Api-Key</c> on every call.</summary>
    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";

    /// <summary>The name decisions and adverse-action notices give as the score's source.</summary>
    [Required]
    public string BureauName { get; set; } = "bureau-sim";

    /// <summary>Everything one pull may take, retry included: the applicant is waiting on the answer.</summary>
    [Range(100, 5_000)]
    public int TotalTimeoutMs { get; set; } = 600;

    /// <summary>One attempt. bureau-sim's default latency has p99 200 ms.</summary>
    [Range(50, 5_000)]
    public int AttemptTimeoutMs { get; set; } = 350;
}
