using System.Security.Cryptography;
using System.Text;

namespace Platform.SimControl.Processor;

/// <summary>
/// Card numbers derived from the card token with a keyed hash, so processor-sim never stores a full number yet can
/// give the same answer when an issue-card request is replayed. 400000 is a test BIN; the last digit is Luhn.
/// </summary>
internal static class CardNumbers
{
    private const string TestBin = "400000";

    public static (string Pan, string Cvv) Derive(string cardToken, string key)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("pan:" + cardToken));
        var body = new StringBuilder(TestBin);
        for (var i = 0; body.Length < 15; i++) body.Append((char)('0' + mac[i] % 10));
        var pan = body.Append(LuhnCheckDigit(body.ToString())).ToString();
        var cvv = ((BitConverter.ToUInt32(mac, 20) % 1000).ToString("000", System.Globalization.CultureInfo.InvariantCulture));
        return (pan, cvv);
    }

    public static char LuhnCheckDigit(string digits)
    {
        var sum = 0;
        var doubleIt = true;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
            doubleIt = !doubleIt;
        }
        return (char)('0' + (10 - sum % 10) % 10);
    }

    public static bool IsLuhnValid(string pan) => pan.Length > 1 && LuhnCheckDigit(pan[..^1]) == pan[^1];
}
