namespace Platform.SimControl.Components.Charts;

/// <summary>
/// Fluent palette colours for chart marks (CSS custom properties with the same fallbacks the tokens have), so an
/// outcome has the same colour on every chart: approvals green, declines in warm colours, errors red, timeouts orange.
/// </summary>
internal static class ChartColors
{
    public const string Brand = "var(--colorBrandBackground, #0f6cbd)";
    public const string Neutral = "var(--colorNeutralForeground3, #616161)";
    public const string Approved = "var(--colorPaletteGreenBackground3, #107c10)";
    public const string Partial = "var(--colorPaletteTealBackground3, #038387)";
    public const string Error = "var(--colorPaletteRedBackground3, #d13438)";
    public const string Timeout = "var(--colorPaletteDarkOrangeBackground3, #da3b01)";
    public const string Accepted = "var(--colorPaletteBlueBackground2, #0078d4)";
    public const string ClientError = "var(--colorPaletteSteelBackground3, #005b70)";

    private static readonly string[] Declines =
    [
        "var(--colorPaletteMarigoldBackground3, #c19c00)",
        "var(--colorPaletteBerryBackground3, #c239b3)",
        "var(--colorPalettePurpleBackground3, #5c2e91)",
        "var(--colorPalettePumpkinBackground3, #ca5010)",
        "var(--colorPaletteLavenderBackground3, #7160e8)",
        "var(--colorPaletteBrownBackground3, #8e562e)",
        "var(--colorPaletteGoldBackground3, #986f0b)",
    ];

    /// <summary>The colour of an outcome (response code, HTTP status, timeout or error); no decline shares the errors' red.</summary>
    public static string ForOutcome(string outcome) => outcome switch
    {
        "00" => Approved,
        "10" => Partial,
        "timeout" or "aborted" => Timeout,
        "error" => Error,
        _ when outcome.Length == 3 && outcome[0] == '5' => Error,
        _ when outcome.Length == 3 && outcome[0] == '2' => Accepted,
        _ when outcome.Length == 3 && outcome[0] == '4' => ClientError,
        // Declines keep one colour each, whatever else is on the chart.
        _ => Declines[(uint)StableHash(outcome) % Declines.Length],
    };

    /// <summary>What an outcome means, for legends.</summary>
    public static string Describe(string outcome) => outcome switch
    {
        "00" => "00 approved",
        "10" => "10 partially approved",
        "timeout" => "timeout",
        "aborted" => "caller gave up",
        "error" => "no answer",
        _ when outcome.Length == 3 && char.IsAsciiDigit(outcome[0]) => "HTTP " + outcome,
        _ => outcome + " " + (Settings.Iso8583ResponseCodes.Declines.TryGetValue(outcome, out var meaning) ? meaning.ToLowerInvariant() : "declined"),
    };

    /// <summary>Approvals first, then declines by code, then everything else.</summary>
    public static int Order(string outcome) => outcome switch
    {
        "00" => 0,
        "10" => 1,
        _ when outcome.Length == 2 => 2,
        _ when outcome.Length == 3 && outcome[0] == '2' => 3,
        _ => 4,
    };

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked(hash * 31 + c);
        return hash;
    }
}
