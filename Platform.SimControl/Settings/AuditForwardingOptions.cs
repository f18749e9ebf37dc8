using System.ComponentModel.DataAnnotations;

namespace Platform.SimControl.Settings;

/// <summary>
/// Where simcontrol forwards its settings changes for the audit spine: the platform API's address and the internal key
/// it demands, both set by the AppHost per run. Unset, changes stay queued in Redis until they are.
/// </summary>
public sealed class AuditForwardingOptions : IValidatableObject
{
    public const string SectionName = "AuditForwarding";
    public const string KeyHeader = "X-Internal-Api-Key";

    /// <summary>The API's base address, e.g. <c>http://localhost:5080</c>.</summary>
    public string ApiBaseUrl { get; set; } = "";

    /// <summary>The API's internal key (its <c>InternalApi:Key</c>).</summary>
    public string ApiKey { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ApiBaseUrl.Length > 0 && !(Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return new ValidationResult("Must be an absolute http or https URL.", [nameof(ApiBaseUrl)]);
    }
}
