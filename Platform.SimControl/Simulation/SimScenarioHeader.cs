using System.Globalization;

namespace Platform.SimControl.Simulation;

/// <summary>
/// The per-request override header for automated tests, e.g. <c>X-Sim-Scenario: decline:51</c> or
/// <c>latency:800,approve</c>. Tokens: <c>approve</c>, <c>decline:CODE</c>, <c>partial[:AMOUNT]</c>, <c>timeout</c>,
/// <c>error[:STATUS]</c>, <c>latency:MS</c>; bureau also <c>score:N</c>, <c>flag:NAME</c>, <c>nohit</c>.
/// </summary>
internal sealed class SimScenarioHeader
{
    public const string Name = "X-Sim-Scenario";

    public bool Approve { get; set; }
    public string? DeclineCode { get; set; }
    public bool Partial { get; set; }
    public long? PartialAmount { get; set; }
    public bool Timeout { get; set; }
    public int? ErrorStatus { get; set; }
    public int? LatencyMs { get; set; }
    public int? Score { get; set; }
    public List<string> Flags { get; } = [];

    public static readonly SimScenarioHeader None = new();

    public static bool TryParse(string? value, out SimScenarioHeader header, out string? error)
    {
        header = new SimScenarioHeader();
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split(':', 2, StringSplitOptions.TrimEntries);
            var name = parts[0].ToLowerInvariant();
            var arg = parts.Length > 1 ? parts[1] : null;
            switch (name)
            {
                case "approve" when arg is null:
                    header.Approve = true;
                    break;
                case "decline" when arg is not null && Settings.Iso8583ResponseCodes.IsKnownDecline(arg.ToUpperInvariant()):
                    header.DeclineCode = arg.ToUpperInvariant();
                    break;
                case "partial" when arg is null:
                    header.Partial = true;
                    break;
                case "partial" when long.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount > 0:
                    header.Partial = true;
                    header.PartialAmount = amount;
                    break;
                case "timeout" when arg is null:
                    header.Timeout = true;
                    break;
                case "error" when arg is null:
                    header.ErrorStatus = 503;
                    break;
                case "error" when int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 500 and <= 599:
                    header.ErrorStatus = status;
                    break;
                case "latency" when int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= 120_000:
                    header.LatencyMs = ms;
                    break;
                case "score" when int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var score) && score is >= 300 and <= 850:
                    header.Score = score;
                    break;
                case "flag" when arg is not null && Bureau.CreditReports.FlagNames.Contains(arg):
                    header.Flags.Add(arg);
                    break;
                case "nohit" when arg is null:
                    header.Flags.Add("noHit");
                    break;
                default:
                    error = $"Unknown or malformed token '{raw}'. Use approve, decline:CODE, partial[:AMOUNT], timeout, error[:5xx], latency:MS, score:300-850, flag:NAME, nohit.";
                    return false;
            }
        }
        return true;
    }
}

/// <summary>
/// Documented magic authorization amounts (minor units) that force an outcome when no header does:
/// 99900 approve; 99910 partial approval (half); 99990 HTTP 503; 99991 timeout; 99977 decline N7;
/// 999XX where XX is a known decline code (05, 51, 54, 59, 61, …) → decline XX.
/// </summary>
internal static class MagicAmounts
{
    public static SimScenarioHeader Apply(SimScenarioHeader header, long amount)
    {
        if (amount is < 99_900 or > 99_999) return header;
        if (header.Approve || header.DeclineCode is not null || header.Partial || header.Timeout || header.ErrorStatus is not null) return header;
        var suffix = (amount - 99_900).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        var forced = new SimScenarioHeader { LatencyMs = header.LatencyMs };
        switch (suffix)
        {
            case "00": forced.Approve = true; break;
            case "10": forced.Partial = true; break;
            case "90": forced.ErrorStatus = 503; break;
            case "91": forced.Timeout = true; break;
            case "77": forced.DeclineCode = "N7"; break;
            default:
                if (Settings.Iso8583ResponseCodes.IsKnownDecline(suffix)) forced.DeclineCode = suffix;
                else return header;
                break;
        }
        return forced;
    }
}
