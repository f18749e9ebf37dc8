using Platform.Api.Pii;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.Api.Underwriting;

// Requests and responses of /v1/prequalifications and /v1/applications. Money is minor units plus an ISO 4217 code.
// Request properties are classified, so logging a request (LogProperties) erases its PII by classification.

public sealed record AddressRequest(
    [property: PersonalPii] string? Line1,
    [property: PersonalPii] string? Line2,
    [property: PersonalPii] string? City,
    string? State,
    [property: PersonalPii] string? PostalCode)
{
    public static AddressRequest Example => new("12 Example Street", null, "Springfield", "IL", "62701");
}

/// <param name="DateOfBirth">ISO 8601 date (yyyy-MM-dd).</param>
/// <param name="Ssn">Nine digits, dashes allowed.</param>
/// <param name="AnnualIncome">Stated gross annual income, minor units.</param>
/// <param name="MonthlyHousingCost">Rent or mortgage a month, minor units.</param>
public sealed record ApplicationRequest(
    [property: PersonalPii] string? FirstName,
    [property: PersonalPii] string? LastName,
    [property: SensitivePii] string? DateOfBirth,
    [property: SensitivePii] string? Ssn,
    AddressRequest? Address,
    [property: PersonalPii] string? Email,
    [property: PersonalPii] string? Phone,
    long? AnnualIncome,
    long? MonthlyHousingCost,
    string? Currency) : IOpenApiExample<ApplicationRequest>
{
    /// <summary>A made-up applicant (123-45-6789 is the SSN of every textbook).</summary>
    public static ApplicationRequest Example => new("Avery", "Example", "1988-04-02", "123-45-6789", AddressRequest.Example, "avery@example.com", "+15555550123",
        6_500_000, 150_000, "USD");

    public override string ToString() => "ApplicationRequest { redacted }";
}

public sealed record PrequalificationRequest(
    [property: PersonalPii] string? FirstName,
    [property: PersonalPii] string? LastName,
    [property: SensitivePii] string? DateOfBirth,
    [property: SensitivePii] string? Ssn,
    AddressRequest? Address,
    long? AnnualIncome,
    long? MonthlyHousingCost,
    string? Currency) : IOpenApiExample<PrequalificationRequest>
{
    public static PrequalificationRequest Example => new("Avery", "Example", "1988-04-02", "123-45-6789", AddressRequest.Example, 6_500_000, 150_000, "USD");

    public override string ToString() => "PrequalificationRequest { redacted }";
}

/// <summary>The applicant as every response shows them: the SSN's last four at most, no date of birth.</summary>
public sealed record ApplicantSummary(string FirstName, string LastName, string Ssn, string Email);

public sealed record DecisionResponse(
    Guid Id,
    string Outcome,
    string PolicyVersion,
    long? CreditLimit,
    decimal? Apr,
    string Currency,
    IReadOnlyList<DecisionReason> Reasons,
    ScoreDisclosure? ScoreUsed,
    DateTimeOffset DecidedAt);

/// <param name="Status">received, approved, declined or pending_review.</param>
/// <param name="NextAttemptAt">
/// Set while the platform will decide again on its own (the bureau or the fraud check was unavailable); null once the
/// decision is final or waits for a person.
/// </param>
public sealed record ApplicationResponse(
    Guid Id,
    string Status,
    ApplicantSummary Applicant,
    long AnnualIncome,
    long MonthlyHousingCost,
    string Currency,
    DecisionResponse? Decision,
    Guid? AccountId,
    Guid? CardId,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Indicative terms: the real line and APR are set by the application's decision.</summary>
public sealed record OfferRange(long CreditLimitMin, long CreditLimitMax, decimal AprMin, decimal AprMax, string Currency);

/// <param name="Outcome">offer or no_offer.</param>
public sealed record PrequalificationResponse(
    Guid Id,
    string Outcome,
    OfferRange? Offer,
    IReadOnlyList<DecisionReason> Reasons,
    ScoreDisclosure? ScoreUsed,
    string PolicyVersion,
    DateTimeOffset CreatedAt);

public sealed record AddressResponse(string Line1, string? Line2, string City, string State, string PostalCode);

/// <summary>The unmasked applicant, only from the audited read.</summary>
public sealed record UnmaskedApplicantResponse(
    Guid ApplicationId,
    string FirstName,
    string LastName,
    string Ssn,
    DateOnly DateOfBirth,
    AddressResponse Address,
    string Email,
    string Phone)
{
    public override string ToString() => $"UnmaskedApplicantResponse {{ ApplicationId = {ApplicationId} }}";
}
