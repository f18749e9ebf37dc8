using System.Security.Cryptography;

namespace Platform.Api.Tests.Underwriting;

/// <summary>Request bodies for a fresh applicant; every call draws a distinct SSN.</summary>
public static class TestApplicants
{
    public const string DateOfBirth = "1984-03-07";

    /// <summary>An issuable SSN (area 100-665, group 01-99, serial 0001-9999), different each call.</summary>
    public static string NewSsn() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{RandomNumberGenerator.GetInt32(100, 666):000}{RandomNumberGenerator.GetInt32(1, 100):00}{RandomNumberGenerator.GetInt32(1, 10_000):0000}");

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
