using Platform.Fraud.Features;

namespace Platform.Fraud.Scoring;

/// <summary>
/// Turns requests into events, or into field errors for a problem-details 400. Messages never repeat the
/// submitted value: for an application that would put PII in responses and logs.
/// </summary>
internal static class ScoringValidation
{
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    public static bool TryCreate(TransactionScoreRequest request, DateTimeOffset now,
        out TransactionEvent transaction, out Dictionary<string, string[]> errors)
    {
        errors = [];
        OptionalId(errors, "transactionId", request.TransactionId);
        RequiredText(errors, "cardId", request.CardId, 64);
        if (request.Amount is not { } amount || amount <= 0 || amount > 100_000_000_000)
        {
            errors["amount"] = ["Required: a positive count of minor units."];
        }
        CurrencyCode(errors, "currency", request.Currency);
        RequiredText(errors, "merchantId", request.MerchantId, 64);
        if (request.MerchantCategoryCode is not { Length: 4 } mcc || !mcc.All(char.IsAsciiDigit))
        {
            errors["merchantCategoryCode"] = ["Required: a four-digit ISO 18245 merchant category code."];
        }
        CountryCode(errors, "merchantCountry", request.MerchantCountry, required: true);
        CountryCode(errors, "cardCountry", request.CardCountry, required: false);
        if (!TransactionChannels.TryParse(request.Channel, out var channel))
        {
            errors["channel"] = [$"Required: one of {string.Join(", ", TransactionChannels.Names)}."];
        }
        OptionalText(errors, "deviceId", request.DeviceId, 128);
        var occurredAt = OccurredAt(errors, request.OccurredAt, now);

        if (errors.Count > 0)
        {
            transaction = null!;
            return false;
        }
        transaction = new TransactionEvent(
            EventId: request.TransactionId ?? Guid.CreateVersion7().ToString("N"),
            CardId: request.CardId!,
            AmountMinor: request.Amount!.Value,
            Currency: request.Currency!.ToUpperInvariant(),
            MerchantId: request.MerchantId!,
            MerchantCategoryCode: int.Parse(request.MerchantCategoryCode!, System.Globalization.CultureInfo.InvariantCulture),
            MerchantCountry: request.MerchantCountry!.ToUpperInvariant(),
            CardCountry: request.CardCountry?.ToUpperInvariant(),
            Channel: channel,
            DeviceId: string.IsNullOrWhiteSpace(request.DeviceId) ? null : request.DeviceId,
            OccurredAtMs: occurredAt.ToUnixTimeMilliseconds());
        return true;
    }

    public static bool TryCreate(ApplicationScoreRequest request, DateTimeOffset now,
        out ApplicationEvent application, out Dictionary<string, string[]> errors)
    {
        errors = [];
        OptionalId(errors, "applicationId", request.ApplicationId);
        RequiredText(errors, "firstName", request.FirstName, 100);
        RequiredText(errors, "lastName", request.LastName, 100);
        var occurredAt = OccurredAt(errors, request.OccurredAt, now);
        var today = DateOnly.FromDateTime(occurredAt.UtcDateTime);
        if (request.DateOfBirth is not { } dateOfBirth || dateOfBirth > today.AddYears(-16) || dateOfBirth < today.AddYears(-120))
        {
            errors["dateOfBirth"] = ["Required: a date (yyyy-MM-dd) giving an age from 16 to 120."];
        }
        var ssn = request.Ssn is null ? "" : Identity.Digits(request.Ssn);
        if (request.Ssn is null || !IsPlausibleSsn(request.Ssn, ssn))
        {
            errors["ssn"] = ["Required: nine digits (dashes allowed) forming a valid SSN."];
        }
        if (request.SsnIssuedYear is { } issued && (issued < 1936 || issued > today.Year))
        {
            errors["ssnIssuedYear"] = [$"When given: a year from 1936 to {today.Year}."];
        }
        if (!IsPlausibleEmail(request.Email))
        {
            errors["email"] = ["Required: an e-mail address."];
        }
        var phone = request.Phone is null ? "" : Identity.Digits(request.Phone);
        if (phone.Length is < 10 or > 15)
        {
            errors["phone"] = ["Required: a phone number of 10 to 15 digits."];
        }
        CountryCode(errors, "addressCountry", request.AddressCountry, required: true);
        if (request.MonthsAtAddress is < 0 or > 1200)
        {
            errors["monthsAtAddress"] = ["When given: 0 to 1200."];
        }
        if (request.AnnualIncome is not { } income || income < 0 || income > 100_000_000_000)
        {
            errors["annualIncome"] = ["Required: zero or more minor units."];
        }
        CurrencyCode(errors, "currency", request.Currency);
        CountryCode(errors, "ipCountry", request.IpCountry, required: false);
        OptionalText(errors, "deviceId", request.DeviceId, 128);

        if (errors.Count > 0)
        {
            application = null!;
            return false;
        }
        application = new ApplicationEvent(
            EventId: request.ApplicationId ?? Guid.CreateVersion7().ToString("N"),
            FirstName: request.FirstName!.Trim(),
            LastName: request.LastName!.Trim(),
            DateOfBirth: request.DateOfBirth!.Value,
            SsnDigits: ssn,
            SsnIssuedYear: request.SsnIssuedYear,
            Email: request.Email!.Trim(),
            PhoneDigits: phone,
            AddressCountry: request.AddressCountry!.ToUpperInvariant(),
            MonthsAtAddress: request.MonthsAtAddress,
            AnnualIncomeMinor: request.AnnualIncome!.Value,
            IpCountry: request.IpCountry?.ToUpperInvariant(),
            DeviceId: string.IsNullOrWhiteSpace(request.DeviceId) ? null : request.DeviceId,
            OccurredAtMs: occurredAt.ToUnixTimeMilliseconds());
        return true;
    }

    /// <summary>Nine digits, not an area, group or serial the SSA never issues (000, 666, 9xx; 00; 0000).</summary>
    public static bool IsPlausibleSsn(string raw, string digits)
    {
        foreach (var c in raw)
        {
            if (!char.IsAsciiDigit(c) && c is not '-' and not ' ')
            {
                return false;
            }
        }
        return digits.Length == 9
            && digits[..3] is not "000" and not "666" && digits[0] != '9'
            && digits[3..5] != "00" && digits[5..] != "0000";
    }

    private static bool IsPlausibleEmail(string? email)
    {
        if (email is null || email.Length > 254 || email.Any(char.IsWhiteSpace))
        {
            return false;
        }
        var at = email.IndexOf('@');
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 3 && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.');
    }

    private static DateTimeOffset OccurredAt(Dictionary<string, string[]> errors, DateTimeOffset? occurredAt, DateTimeOffset now)
    {
        if (occurredAt is not { } value)
        {
            return now;
        }
        if (value > now + MaxClockSkew || value < now - MaxAge)
        {
            errors["occurredAt"] = ["When given: no more than 5 minutes ahead of the service's clock and no more than 30 days back."];
            return now;
        }
        return value;
    }

    private static void RequiredText(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            errors[field] = [$"Required: 1 to {maxLength} characters."];
        }
    }

    private static void OptionalText(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength)
        {
            errors[field] = [$"When given: at most {maxLength} characters."];
        }
    }

    private static void OptionalId(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is not null && (value.Length is 0 or > 64 || value.Contains('|')))
        {
            errors[field] = ["When given: 1 to 64 characters, no '|'."];
        }
    }

    private static void CurrencyCode(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (value is not { Length: 3 } || !value.All(char.IsAsciiLetter))
        {
            errors[field] = ["Required: an ISO 4217 currency code such as USD."];
        }
    }

    private static void CountryCode(Dictionary<string, string[]> errors, string field, string? value, bool required)
    {
        if (value is null ? required : value is not { Length: 2 } || !value.All(char.IsAsciiLetter))
        {
            errors[field] = [(required ? "Required" : "When given") + ": an ISO 3166 alpha-2 country code such as US."];
        }
    }
}
