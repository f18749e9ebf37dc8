namespace Platform.Api.Identity;

/// <summary>Settings under <c>Identity</c>.</summary>
public sealed class PlatformIdentityOptions
{
    public const string Section = "Identity";

    /// <summary>
    /// The operator account seeded at start-up in Development only (the AppHost generates the password and keeps it
    /// in its user secrets). Outside Development operators are provisioned deliberately, never from configuration.
    /// </summary>
    public OperatorAccount Operator { get; set; } = new();

    /// <summary>
    /// The API's public address, which links in e-mails (address confirmation) start with. Configured, never taken from
    /// a request's Host header, which the caller controls. The AppHost sets it to the API's endpoint.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Required]
    public string PublicBaseUrl { get; set; } = "";

    public int AccessTokenMinutes { get; set; } = 15;

    public int RefreshTokenDays { get; set; } = 14;

    public sealed class OperatorAccount
    {
        public string? Email { get; set; }
        public string? Password { get; set; }
    }
}
