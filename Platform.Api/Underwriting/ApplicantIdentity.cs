using Platform.Api.Integrations.Bureau;
using Platform.Api.Integrations.Fraud;
using Platform.Api.Pii;

namespace Platform.Api.Underwriting;

/// <summary>A validated applicant, PII in the clear: lives only in memory for one evaluation, never logged.</summary>
public sealed record ApplicantIdentity(
    [property: PersonalPii] string FirstName,
    [property: PersonalPii] string LastName,
    [property: SensitivePii] DateOnly DateOfBirth,
    [property: SensitivePii] string Ssn,
    [property: LogPropertyIgnore] BureauAddress Address,
    [property: PersonalPii] string Email,
    [property: PersonalPii] string Phone,
    long AnnualIncome,
    long MonthlyHousingCost,
    string Currency)
{
    public BureauApplicant ToBureauApplicant() => new(FirstName, LastName, Ssn, DateOfBirth, Address);

    public FraudApplicationRequest ToFraudRequest(Guid applicationId, DateTimeOffset occurredAt) => new(
        applicationId.ToString(), FirstName, LastName, DateOfBirth, Ssn, null, Email, Phone, "US", null, AnnualIncome, Currency,
        OccurredAt: occurredAt);

    /// <summary>What the card is embossed with: at most 26 characters, initial and surname when the full name is longer.</summary>
    public string CardholderName()
    {
        var full = $"{FirstName} {LastName}".ToUpperInvariant();
        if (full.Length <= 26) return full;
        var shortened = $"{FirstName[0]} {LastName}".ToUpperInvariant();
        return shortened.Length <= 26 ? shortened : shortened[..26];
    }

    public override string ToString() => "ApplicantIdentity { redacted }";
}
