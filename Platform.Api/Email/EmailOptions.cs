using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Email;

/// <summary>Settings under <c>Email</c>.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The sender address every e-mail carries (SES: the verified identity).</summary>
    [Required, EmailAddress]
    public string From { get; set; } = "no-reply@cards.example.com";

    /// <summary>The configuration set used when a message names none (SES: where sends, bounces and complaints are published).</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$")]
    public string? DefaultConfigurationSet { get; set; } = "transactional";

    /// <summary>
    /// Where the console sink writes each rendered e-mail (one folder per message). Empty means a folder under the
    /// temp directory, so a bare <c>dotnet run</c> works without setup.
    /// </summary>
    public string? SinkDirectory { get; set; }

    [Required]
    public EmailAlertOptions Alerts { get; set; } = new();

    public string ResolvedSinkDirectory =>
        string.IsNullOrWhiteSpace(SinkDirectory) ? Path.Combine(Path.GetTempPath(), "platform-email") : SinkDirectory;
}

/// <summary>Alert rules that apply to an account without its own row in <c>core.alert_rules</c>.</summary>
public sealed class EmailAlertOptions
{
    /// <summary>An approved purchase at or above this amount (minor units, the account's currency) is mailed to the holder.</summary>
    [Range(1, long.MaxValue)]
    public long LargePurchaseThresholdMinor { get; set; } = 50_000;

    /// <summary>Whether a purchase declined as suspected fraud is mailed to the holder.</summary>
    public bool FraudDeclineAlerts { get; set; } = true;
}
