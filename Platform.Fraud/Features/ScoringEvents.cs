namespace Platform.Fraud.Features;

/// <summary>
/// A card transaction as the model sees it: validated, normalised, with the time fixed. The HTTP request becomes
/// one of these; so does every row of the training generator, so that serving and training build features the same way.
/// </summary>
internal sealed record TransactionEvent(
    string EventId,
    string CardId,
    long AmountMinor,
    string Currency,
    string MerchantId,
    int MerchantCategoryCode,
    string MerchantCountry,
    string? CardCountry,
    TransactionChannel Channel,
    string? DeviceId,
    long OccurredAtMs);

/// <summary>An application for credit, normalised. Holds PII: never log it, never put it in a Redis key unhashed.</summary>
internal sealed record ApplicationEvent(
    string EventId,
    string FirstName,
    string LastName,
    DateOnly DateOfBirth,
    string SsnDigits,
    int? SsnIssuedYear,
    string Email,
    string PhoneDigits,
    string AddressCountry,
    int? MonthsAtAddress,
    long AnnualIncomeMinor,
    string? IpCountry,
    string? DeviceId,
    long OccurredAtMs)
{
    /// <summary>Redacted: the record's generated ToString would print the SSN, e-mail and phone.</summary>
    public override string ToString() => $"ApplicationEvent {{ EventId = {EventId} }}";

    /// <summary>The e-mail with case, dots (Gmail) and +tags removed, so that trivial variants count as one address.</summary>
    public string CanonicalEmail => Identity.CanonicalEmail(Email);
}

internal static class Identity
{
    public static string CanonicalEmail(string email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0)
        {
            return email.Trim().ToLowerInvariant();
        }
        var local = email[..at].Trim().ToLowerInvariant();
        var domain = email[(at + 1)..].Trim().ToLowerInvariant();
        var plus = local.IndexOf('+');
        if (plus > 0)
        {
            local = local[..plus];
        }
        if (domain is "gmail.com" or "googlemail.com")
        {
            local = local.Replace(".", "", StringComparison.Ordinal);
            domain = "gmail.com";
        }
        return local + "@" + domain;
    }

    public static string Digits(string value)
    {
        Span<char> buffer = stackalloc char[Math.Min(value.Length, 64)];
        var length = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c) && length < buffer.Length)
            {
                buffer[length++] = c;
            }
        }
        return new string(buffer[..length]);
    }
}
