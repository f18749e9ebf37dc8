namespace Platform.SimControl.Processor;

/// <summary>What the processor refuses as malformed (422 with field errors) before anything is decided or recorded.</summary>
internal static class ProcessorRequestValidation
{
    public static Dictionary<string, string[]> Authorize(AuthorizeRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(r.CardToken) || r.CardToken.Length > 64) errors["cardToken"] = ["Required, at most 64 characters."];
        if (r.Amount <= 0) errors["amount"] = ["Must be a positive number of minor units."];
        if (r.Currency is null || r.Currency.Length != 3 || !r.Currency.All(char.IsAsciiLetterUpper)) errors["currency"] = ["Must be an ISO 4217 code such as USD."];
        if (r.Merchant is null) errors["merchant"] = ["Required."];
        else
        {
            if (string.IsNullOrWhiteSpace(r.Merchant.Name) || r.Merchant.Name.Length > 100) errors["merchant.name"] = ["Required, at most 100 characters."];
            if (r.Merchant.Mcc is null || r.Merchant.Mcc.Length != 4 || !r.Merchant.Mcc.All(char.IsAsciiDigit)) errors["merchant.mcc"] = ["Must be a 4-digit merchant category code."];
            if (r.Merchant.Country is null || r.Merchant.Country.Length != 2 || !r.Merchant.Country.All(char.IsAsciiLetterUpper)) errors["merchant.country"] = ["Must be an ISO 3166-1 alpha-2 code such as US."];
        }
        return errors;
    }

    public static Dictionary<string, string[]> Amount(AmountRequest r) =>
        r.Amount is <= 0 ? new() { ["amount"] = ["Must be a positive number of minor units, or omitted for the whole remaining amount."] } : [];

    public static Dictionary<string, string[]> IssueCard(IssueCardRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        if (r.Type is not ("virtual" or "physical")) errors["type"] = ["Must be virtual or physical."];
        if (string.IsNullOrWhiteSpace(r.CardholderName) || r.CardholderName.Length > 26) errors["cardholderName"] = ["Required, at most 26 characters (embossing limit)."];
        if (r.Reference is { Length: > 100 }) errors["reference"] = ["At most 100 characters."];
        return errors;
    }
}
