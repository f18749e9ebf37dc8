using System.Globalization;

namespace Platform.Api.Statements;

/// <summary>
/// Amounts in minor units: the one ISO 4217 exponent table (where the point goes), and how a statement prints an amount
/// (invariant grouping). E-mails format with the same exponents.
/// </summary>
public static class MinorUnits
{
    // ISO 4217 currencies whose minor unit is not the cent; everything else has two decimals.
    private static readonly Dictionary<string, int> Exponents = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    public static int Exponent(string currency) => Exponents.GetValueOrDefault(currency, 2);

    /// <summary>e.g. 123456 USD → "1,234.56"; -1200 → "-12.00".</summary>
    public static string Format(long amount, string currency)
    {
        var exponent = Exponent(currency);
        var value = amount / (decimal)Math.Pow(10, exponent);
        return value.ToString("N" + exponent.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
