using System.Globalization;
using System.Text.Encodings.Web;

namespace Platform.Api.Email;

/// <summary>How e-mails show money, dates and untrusted text.</summary>
internal static class EmailFormat
{
    // ISO 4217 minor-unit exponents that are not 2; amounts are stored in minor units, so this decides where the point goes.
    private static readonly Dictionary<string, int> Exponents = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    /// <summary>123456 USD → "1,234.56 USD"; invariant culture so an e-mail reads the same whatever the server's locale.</summary>
    public static string Money(long minorUnits, string currency)
    {
        var exponent = Exponents.GetValueOrDefault(currency, 2);
        var major = (decimal)minorUnits / (decimal)Math.Pow(10, exponent);
        return major.ToString("N" + exponent, CultureInfo.InvariantCulture) + " " + currency;
    }

    /// <summary>0.1999 → "19.99%".</summary>
    public static string Percent(decimal fraction) => (fraction * 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    public static string Date(DateOnly date) => date.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("MMMM d, yyyy 'at' HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Every model value passes through here before it reaches HTML: names and merchants come from outside.</summary>
    public static string Html(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
