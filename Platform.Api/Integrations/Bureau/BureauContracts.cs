using System.Text.Json.Serialization;
using Platform.Api.Pii;

namespace Platform.Api.Integrations.Bureau;

// The credit bureau's contract (bureau-sim: Platform.SimControl/SIMULATORS.md), as this API sends and reads it.

public sealed record BureauAddress(
    [property: PersonalPii] string Line1,
    [property: PersonalPii] string? Line2,
    [property: PersonalPii] string City,
    string State,
    [property: PersonalPii] string PostalCode);

/// <summary>Who to pull. Holds the SSN and date of birth: ToString names nothing.</summary>
public sealed record BureauApplicant(
    [property: PersonalPii] string FirstName,
    [property: PersonalPii] string LastName,
    [property: SensitivePii] string Ssn,
    [property: SensitivePii] DateOnly DateOfBirth,
    BureauAddress Address)
{
    public override string ToString() => "BureauApplicant { redacted }";
}

public sealed record BureauCreditReportRequest(BureauApplicant Applicant, string InquiryType)
{
    public override string ToString() => $"BureauCreditReportRequest {{ InquiryType = {InquiryType} }}";
}

public sealed record BureauScoreFactor(string Code, string Text);

public sealed record BureauTradelines(
    int TotalAccounts,
    int OpenAccounts,
    long RevolvingBalance,
    long RevolvingLimit,
    double RevolvingUtilization,
    long InstallmentBalance,
    int OldestAccountAgeMonths,
    int Delinquencies30Days,
    int Delinquencies90Days,
    int PublicRecords,
    int Collections);

public sealed record BureauInquiry(DateTimeOffset At, string Type, string ReportId);

public sealed record BureauFlags(bool NoHit, bool ThinFile, bool Frozen, bool FraudAlert, bool RecentBankruptcy, bool Deceased);

/// <summary>A credit report. <see cref="Score"/> is null when there is no file or the file is frozen.</summary>
public sealed record BureauCreditReport(
    string ReportId,
    string InquiryType,
    int? Score,
    string ScoreModel,
    IReadOnlyList<BureauScoreFactor> Factors,
    BureauTradelines Tradelines,
    IReadOnlyList<BureauInquiry> Inquiries,
    BureauFlags Flags,
    string ApplicantSsnLast4,
    DateTimeOffset GeneratedAt);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BureauCreditReportRequest))]
[JsonSerializable(typeof(BureauCreditReport))]
internal sealed partial class BureauJsonContext : JsonSerializerContext;
