using System.Globalization;
using System.Text.Encodings.Web;
using Platform.Api.Statements;

namespace Platform.Api.Email;

/// <summary>How e-mails show money, dates and untrusted text.</summary>
internal static class EmailFormat
{
    /// <summary>123456 USD → "1,234.56 USD"; invariant culture so an e-mail reads the same whatever the server's locale.</summary>
    public static string Money(long minorUnits, string currency)
    {
        var exponent = MinorUnits.Exponent(currency);
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
