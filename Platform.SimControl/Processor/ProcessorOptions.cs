using System.ComponentModel.DataAnnotations;

namespace Platform.SimControl.Processor;

public sealed class ProcessorOptions
{
    public const string SectionName = "Processor";

    /// <summary>Shared with the platform API, which verifies each webhook's HMAC-SHA256 signature with it.</summary>
    [Required, MinLength(16)]
    public string WebhookSecret { get; set; } = "";

    /// <summary>First redelivery delay; each later attempt doubles it up to <see cref="WebhookRetryMaxMs"/>.</summary>
    [Range(10, 600_000)]
    public int WebhookRetryBaseMs { get; set; } = 1000;

    [Range(10, 3_600_000)]
    public int WebhookRetryMaxMs { get; set; } = 300_000;

    /// <summary>How often each instance looks for operations to complete and webhooks to send.</summary>
    [Range(10, 10_000)]
    public int WorkerPollMs { get; set; } = 200;

    /// <summary>Per delivery attempt.</summary>
    [Range(100, 120_000)]
    public int WebhookTimeoutMs { get; set; } = 10_000;
}

public sealed class SimulatorOptions
{
    public const string SectionName = "Simulators";

    /// <summary>How long a simulated timeout holds the request before answering 504 (callers normally give up first).</summary>
    [Range(100, 600_000)]
    public int TimeoutHoldMs { get; set; } = 100_000;
}
