using System.Globalization;

namespace Platform.Fraud.Features;

/// <summary>The application model's input vector: layout, construction and the meaning of each feature.</summary>
internal static class ApplicationFeatures
{
    public const int Count = 17;

    public const int Age = 0;
    public const int AnnualIncome = 1;
    public const int IncomeForAge = 2;
    public const int SsnIssuedAtAge = 3;
    public const int DisposableEmail = 4;
    public const int EmailMatchesName = 5;
    public const int GeoMismatch = 6;
    public const int MonthsAtAddress = 7;
    public const int SsnApplications24h = 8;
    public const int SsnApplications30d = 9;
    public const int EmailApplications30d = 10;
    public const int PhoneApplications30d = 11;
    public const int DeviceApplications24h = 12;
    public const int DeviceApplications30d = 13;
    public const int LinkedSsns30d = 14;
    public const int SsnIdentityMismatch = 15;
    public const int SsnOtherContacts30d = 16;

    public static readonly string[] Names =
    [
        "age", "annual_income_k", "income_for_age", "ssn_issued_at_age", "disposable_email", "email_matches_name",
        "geo_mismatch", "months_at_address", "ssn_apps_24h", "ssn_apps_30d", "email_apps_30d", "phone_apps_30d",
        "device_apps_24h", "device_apps_30d", "linked_ssns_30d", "ssn_identity_mismatch", "ssn_other_contacts_30d",
    ];

    /// <summary>SSNs have been assigned at birth ("enumeration at birth") for people born since about this year.</summary>
    public const int EnumerationAtBirthSince = 1987;
    private const int UnknownMonthsAtAddress = 24;

    public static void Build(ApplicationEvent application, in ApplicationVelocity velocity, Span<float> features)
    {
        var on = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(application.OccurredAtMs).UtcDateTime);
        var age = (on.DayNumber - application.DateOfBirth.DayNumber) / 365.25f;
        var income = application.AnnualIncomeMinor / 100_000f;
        features[Age] = age;
        features[AnnualIncome] = income;
        features[IncomeForAge] = income / MedianIncomeThousandsForAge(age);
        features[SsnIssuedAtAge] = application.SsnIssuedYear is { } issued
            ? issued - application.DateOfBirth.Year
            : TypicalSsnIssueAge(application.DateOfBirth.Year);
        var canonicalEmail = application.CanonicalEmail;
        var at = canonicalEmail.LastIndexOf('@');
        features[DisposableEmail] = EmailDomains.IsDisposable(canonicalEmail.AsSpan(at + 1)) ? 1 : 0;
        features[EmailMatchesName] = EmailResemblesName(canonicalEmail.AsSpan(0, Math.Max(at, 0)), application.FirstName, application.LastName) ? 1 : 0;
        features[GeoMismatch] = application.IpCountry is { } ip && ip != application.AddressCountry ? 1 : 0;
        features[MonthsAtAddress] = application.MonthsAtAddress ?? UnknownMonthsAtAddress;
        features[SsnApplications24h] = velocity.SsnApplications24h;
        features[SsnApplications30d] = velocity.SsnApplications30d;
        features[EmailApplications30d] = velocity.EmailApplications30d;
        features[PhoneApplications30d] = velocity.PhoneApplications30d;
        features[DeviceApplications24h] = velocity.DeviceApplications24h;
        features[DeviceApplications30d] = velocity.DeviceApplications30d;
        features[LinkedSsns30d] = velocity.LinkedSsns30d;
        features[SsnIdentityMismatch] = velocity.SsnIdentityMismatch ? 1 : 0;
        features[SsnOtherContacts30d] = velocity.SsnOtherContacts30d;
    }

    /// <summary>The synthetic world's median annual income (thousands) by age: rises to the late forties, falls after sixty.</summary>
    public static float MedianIncomeThousandsForAge(float age)
    {
        ReadOnlySpan<float> ages = [16, 22, 30, 45, 55, 65, 80];
        ReadOnlySpan<float> incomes = [18, 32, 52, 70, 70, 48, 34];
        if (age <= ages[0])
        {
            return incomes[0];
        }
        for (var i = 1; i < ages.Length; i++)
        {
            if (age <= ages[i])
            {
                var t = (age - ages[i - 1]) / (ages[i] - ages[i - 1]);
                return incomes[i - 1] + t * (incomes[i] - incomes[i - 1]);
            }
        }
        return incomes[^1];
    }

    /// <summary>What an unremarkable SSN issue age is, used when the issue year is not known.</summary>
    public static int TypicalSsnIssueAge(int birthYear) => birthYear >= EnumerationAtBirthSince ? 0 : 16;

    public static bool EmailResemblesName(ReadOnlySpan<char> localPart, string firstName, string lastName) =>
        Contains(localPart, firstName) || Contains(localPart, lastName);

    private static bool Contains(ReadOnlySpan<char> localPart, string name)
    {
        var trimmed = name.AsSpan().Trim();
        return trimmed.Length >= 3 && localPart.Contains(trimmed, StringComparison.OrdinalIgnoreCase);
    }

    public static Reason? Describe(int feature, ReadOnlySpan<float> f, ApplicationEvent application)
    {
        var c = CultureInfo.InvariantCulture;
        return feature switch
        {
            IncomeForAge when f[IncomeForAge] >= 3 => new("INCOME_IMPLAUSIBLE_FOR_AGE",
                string.Create(c, $"Stated income is {f[IncomeForAge]:0.#}x what is typical at the applicant's age")),
            AnnualIncome when f[AnnualIncome] >= 250 => new("HIGH_STATED_INCOME",
                string.Create(c, $"Unusually high stated income ({f[AnnualIncome]:#,0}k)")),
            SsnIssuedAtAge when f[SsnIssuedAtAge] < 0 => new("SSN_ISSUED_BEFORE_BIRTH",
                "The SSN was issued before the applicant's date of birth"),
            SsnIssuedAtAge when f[SsnIssuedAtAge] >= 25 => new("SSN_ISSUED_IN_ADULTHOOD",
                string.Create(c, $"The SSN was issued when the applicant was {f[SsnIssuedAtAge]:0}")),
            DisposableEmail when f[DisposableEmail] > 0 => new("DISPOSABLE_EMAIL", "E-mail address at a disposable mailbox provider"),
            EmailMatchesName when f[EmailMatchesName] == 0 => new("EMAIL_NAME_MISMATCH", "E-mail address does not resemble the applicant's name"),
            GeoMismatch when f[GeoMismatch] > 0 => new("GEO_MISMATCH",
                $"Application sent from {application.IpCountry} for an address in {application.AddressCountry}"),
            MonthsAtAddress when f[MonthsAtAddress] <= 6 => new("SHORT_TIME_AT_ADDRESS",
                string.Create(c, $"Only {f[MonthsAtAddress]:0} months at the current address")),
            SsnApplications24h or SsnApplications30d when f[SsnApplications30d] >= 1 => new("SSN_VELOCITY",
                string.Create(c, $"The SSN is on {f[SsnApplications30d]:0} other applications in the last 30 days")),
            EmailApplications30d when f[EmailApplications30d] >= 1 => new("EMAIL_VELOCITY",
                string.Create(c, $"The e-mail address is on {f[EmailApplications30d]:0} other applications in the last 30 days")),
            PhoneApplications30d when f[PhoneApplications30d] >= 1 => new("PHONE_VELOCITY",
                string.Create(c, $"The phone number is on {f[PhoneApplications30d]:0} other applications in the last 30 days")),
            DeviceApplications24h or DeviceApplications30d when f[DeviceApplications30d] >= 1 => new("DEVICE_VELOCITY",
                string.Create(c, $"The device sent {f[DeviceApplications30d]:0} other applications in the last 30 days")),
            LinkedSsns30d when f[LinkedSsns30d] >= 1 => new("SHARED_CONTACT_DETAILS",
                string.Create(c, $"The e-mail, phone or device was used with {f[LinkedSsns30d]:0} other SSNs in the last 30 days")),
            SsnIdentityMismatch when f[SsnIdentityMismatch] > 0 => new("SSN_IDENTITY_MISMATCH",
                "The SSN was used before with a different name or date of birth"),
            SsnOtherContacts30d when f[SsnOtherContacts30d] >= 2 => new("SSN_MULTIPLE_CONTACTS",
                string.Create(c, $"The SSN was used with {f[SsnOtherContacts30d]:0} other e-mail addresses or phone numbers in the last 30 days")),
            _ => null,
        };
    }
}
