namespace Platform.Api.Pii;

/// <summary>The one place SSN text is normalized and masked.</summary>
public static class Ssn
{
    /// <summary>Nine digits, dashes and spaces removed; null if it is not an SSN.</summary>
    public static string? Normalize(string? value)
    {
        if (value is null) return null;
        Span<char> digits = stackalloc char[9];
        var count = 0;
        foreach (var c in value)
        {
            if (c is '-' or ' ') continue;
            if (!char.IsAsciiDigit(c) || count == 9) return null;
            digits[count++] = c;
        }
        return count == 9 ? new string(digits) : null;
    }

    /// <summary>
    /// Whether the Social Security Administration could have issued it: never area 000, 666 or 900-999, group 00 or
    /// serial 0000. The fraud service refuses the others, and no bureau holds a file for them.
    /// </summary>
    public static bool IsIssuable(string normalized) =>
        normalized[..3] is not "000" and not "666" && normalized[0] != '9' && normalized[3..5] != "00" && normalized[5..] != "0000";

    public static string Last4(string normalized) => normalized[^4..];

    /// <summary>What responses show: never more than the last four digits.</summary>
    public static string Mask(string last4) => "***-**-" + last4;
}
