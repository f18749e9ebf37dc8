using System.Security.Cryptography;

namespace Platform.Api.Tests.Underwriting;

/// <summary>Request bodies for a fresh applicant; every call draws a distinct SSN.</summary>
public static class TestApplicants
{
    public const string DateOfBirth = "1984-03-07";

    /// <summary>Nine digits outside the simulators' persona prefixes (area 000).</summary>
    public static string NewSsn() => "4" + RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static object Application(string ssn, long annualIncome = 9_500_000, long monthlyHousingCost = 150_000, string? dateOfBirth = DateOfBirth) => new
    {
        firstName = "Grace",
        lastName = "Hopper",
        dateOfBirth,
        ssn = $"{ssn[..3]}-{ssn[3..5]}-{ssn[5..]}",
        address = new { line1 = "1 Navy Way", city = "Arlington", state = "VA", postalCode = "22201" },
        email = "grace.hopper@example.com",
        phone = "+15555550123",
        annualIncome,
        monthlyHousingCost,
        currency = "USD",
    };

    public static object Prequalification(string ssn, long annualIncome = 9_500_000, long monthlyHousingCost = 150_000) => new
    {
        firstName = "Grace",
        lastName = "Hopper",
        dateOfBirth = DateOfBirth,
        ssn,
        address = new { line1 = "1 Navy Way", city = "Arlington", state = "VA", postalCode = "22201" },
        annualIncome,
        monthlyHousingCost,
        currency = "USD",
    };
}
