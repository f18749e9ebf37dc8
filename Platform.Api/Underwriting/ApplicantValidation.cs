using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Platform.Api.Integrations.Bureau;
using Platform.Api.Pii;

namespace Platform.Api.Underwriting;

/// <summary>
/// Checks requests before anything is stored or pulled: every error names its field (RFC 9457 validation problem).
/// At least as strict as the bureau's own checks, so a valid application is never refused by the bureau as malformed.
/// </summary>
internal static partial class ApplicantValidation
{
    private const int MaxNameLength = 100;
    private const long MaxMoney = 100_000_000_000; // 1 billion in major units: a typo, not an income.

    public static Dictionary<string, string[]> Validate(ApplicationRequest request, string policyCurrency, DateOnly today, out ApplicantIdentity? applicant)
    {
        var errors = ValidateCommon(request.FirstName, request.LastName, request.DateOfBirth, request.Ssn, request.Address,
            request.AnnualIncome, request.MonthlyHousingCost, request.Currency, policyCurrency, today);
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 254 || !MailAddress.TryCreate(request.Email.Trim(), out _))
            errors["email"] = ["Required, an e-mail address."];
        if (request.Phone is null || !PhonePattern().IsMatch(request.Phone.Trim()))
            errors["phone"] = ["Required, 10 to 15 digits, optionally starting with +."];

        applicant = errors.Count == 0 ? Build(request.FirstName!, request.LastName!, request.DateOfBirth!, request.Ssn!, request.Address!,
            request.Email!.Trim(), request.Phone!.Trim(), request.AnnualIncome!.Value, request.MonthlyHousingCost!.Value, request.Currency!) : null;
        return errors;
    }

    public static Dictionary<string, string[]> Validate(PrequalificationRequest request, string policyCurrency, DateOnly today, out ApplicantIdentity? applicant)
    {
        var errors = ValidateCommon(request.FirstName, request.LastName, request.DateOfBirth, request.Ssn, request.Address,
            request.AnnualIncome, request.MonthlyHousingCost, request.Currency, policyCurrency, today);
        applicant = errors.Count == 0 ? Build(request.FirstName!, request.LastName!, request.DateOfBirth!, request.Ssn!, request.Address!,
            "", "", request.AnnualIncome!.Value, request.MonthlyHousingCost!.Value, request.Currency!) : null;
        return errors;
    }

    private static Dictionary<string, string[]> ValidateCommon(string? firstName, string? lastName, string? dateOfBirth, string? ssn,
        AddressRequest? address, long? annualIncome, long? monthlyHousingCost, string? currency, string policyCurrency, DateOnly today)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(firstName) || firstName.Trim().Length > MaxNameLength) errors["firstName"] = [$"Required, at most {MaxNameLength} characters."];
        if (string.IsNullOrWhiteSpace(lastName) || lastName.Trim().Length > MaxNameLength) errors["lastName"] = [$"Required, at most {MaxNameLength} characters."];
        if (!DateOnly.TryParseExact(dateOfBirth, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dob))
            errors["dateOfBirth"] = ["Required, as yyyy-MM-dd."];
        else if (dob > today.AddYears(-18) || dob < today.AddYears(-125))
            errors["dateOfBirth"] = ["The applicant must be at least 18."];
        if (Ssn.Normalize(ssn) is not { } normalizedSsn || !Ssn.IsIssuable(normalizedSsn))
            errors["ssn"] = ["Required, 9 digits (dashes allowed) that can be an issued SSN (not area 000, 666 or 9xx, group 00 or serial 0000)."];

        if (address is null) errors["address"] = ["Required."];
        else
        {
            if (string.IsNullOrWhiteSpace(address.Line1) || address.Line1.Length > 200) errors["address.line1"] = ["Required, at most 200 characters."];
            if (address.Line2 is { Length: > 200 }) errors["address.line2"] = ["At most 200 characters."];
            if (string.IsNullOrWhiteSpace(address.City) || address.City.Length > 100) errors["address.city"] = ["Required, at most 100 characters."];
            if (address.State is null || !StatePattern().IsMatch(address.State)) errors["address.state"] = ["Required, a two-letter state code (e.g. NY)."];
            if (address.PostalCode is null || !ZipPattern().IsMatch(address.PostalCode)) errors["address.postalCode"] = ["Required, a ZIP or ZIP+4 code."];
        }

        if (annualIncome is not { } income || income < 0 || income > MaxMoney) errors["annualIncome"] = ["Required, minor units, 0 or more."];
        if (monthlyHousingCost is not { } housing || housing < 0 || housing > MaxMoney) errors["monthlyHousingCost"] = ["Required, minor units, 0 or more."];
        if (currency != policyCurrency) errors["currency"] = [$"Must be {policyCurrency}."];
        return errors;
    }

    private static ApplicantIdentity Build(string firstName, string lastName, string dateOfBirth, string ssn, AddressRequest address,
        string email, string phone, long annualIncome, long monthlyHousingCost, string currency) => new(
        firstName.Trim(), lastName.Trim(), DateOnly.ParseExact(dateOfBirth, "yyyy-MM-dd", CultureInfo.InvariantCulture), Ssn.Normalize(ssn)!,
        new BureauAddress(address.Line1!.Trim(), string.IsNullOrWhiteSpace(address.Line2) ? null : address.Line2.Trim(), address.City!.Trim(),
            address.State!, address.PostalCode!),
        email, phone, annualIncome, monthlyHousingCost, currency);

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex StatePattern();

    [GeneratedRegex("^[0-9]{5}(-[0-9]{4})?$")]
    private static partial Regex ZipPattern();

    [GeneratedRegex(@"^\+?[0-9]{10,15}$")]
    private static partial Regex PhonePattern();
}
