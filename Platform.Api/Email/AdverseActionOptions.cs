using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Platform.Api.Email;

/// <summary>
/// Settings under <c>AdverseAction</c>: who the notice says declined the applicant (Reg B §1002.9(a)(2): the creditor's
/// name and address) and how to reach each consumer reporting agency whose report was used (FCRA §615(a)(2): name,
/// address and a toll-free number). Checked at start-up, so a notice can never go out without them.
/// </summary>
public sealed partial class AdverseActionOptions
{
    public const string Section = "AdverseAction";

    [Required]
    public string CreditorName { get; set; } = "";

    [Required]
    public string CreditorAddress { get; set; } = "";

    /// <summary>By the bureau name decisions record (<c>Bureau:BureauName</c>).</summary>
    public Dictionary<string, ConsumerReportingAgency> ConsumerReportingAgencies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What is wrong with the agency entries, or null when every one is complete.</summary>
    public string? AgencyProblem() =>
        ConsumerReportingAgencies.Count == 0 ? "AdverseAction:ConsumerReportingAgencies must describe at least one agency."
        : ConsumerReportingAgencies.FirstOrDefault(a => string.IsNullOrWhiteSpace(a.Value.Name) || string.IsNullOrWhiteSpace(a.Value.Address)
            || !TollFree().IsMatch(a.Value.TollFreePhone ?? "")) is { Key: { } name }
            ? $"AdverseAction:ConsumerReportingAgencies:{name} needs Name, Address and a toll-free TollFreePhone (1-8xx-xxx-xxxx)."
            : null;

    [GeneratedRegex(@"^1-8(00|33|44|55|66|77|88)-\d{3}-\d{4}$")]
    private static partial Regex TollFree();
}

public sealed class ConsumerReportingAgency
{
    public string Name { get; set; } = "";
    public string Address { get; set; } = "";
    public string? TollFreePhone { get; set; }
}
