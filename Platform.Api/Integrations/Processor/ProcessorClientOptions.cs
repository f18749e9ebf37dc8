using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Integrations.Processor;

/// <summary>Settings under <c>Processor</c> for the card processor's clients and webhooks, checked at start-up.</summary>
public sealed class ProcessorClientOptions
{
    public const string Section = "Processor";

    /// <summary>processor-sim is hosted by simcontrol; a real processor is this address and the secret below.</summary>
    [Required]
    public string BaseAddress { get; set; } = "https+http://simcontrol";

    /// <summary>
    /// The most an authorize call may take. Each call also gets no more than what is left of the authorization's
    /// end-to-end budget, so this is a ceiling, not the usual wait.
    /// </summary>
    [Range(10, 5_000)]
    public int AuthorizeTimeoutMs { get; set; } = 80;

    /// <summary>Capture, refund, void, issue card and reads: background work that is retried, so it can wait.</summary>
    [Range(100, 60_000)]
    public int OperationTimeoutMs { get; set; } = 5_000;

    /// <summary>The platform's credential at the processor (the AppHost generates it; never in the repository). Sent as <c>X-Api-Key</c> on every call.</summary>
    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";

    /// <summary>Shared with the processor: every webhook's HMAC-SHA256 signature is checked with it.</summary>
    [Required, MinLength(16)]
    public string WebhookSecret { get; set; } = "";

    /// <summary>A webhook whose signed timestamp is further than this from now is refused (replay protection).</summary>
    [Range(30, 86_400)]
    public int WebhookToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// Where the processor should send webhooks (this API's public address + <c>/v1/webhooks/processor</c>). When set,
    /// the API registers it with the processor at start-up; the AppHost sets it to the API's load-balanced endpoint.
    /// </summary>
    public string? WebhookCallbackUrl { get; set; }
}
