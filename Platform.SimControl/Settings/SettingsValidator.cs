using System.Globalization;

namespace Platform.SimControl.Settings;

/// <summary>
/// Checks settings before anything is stored. Keys are the JSON paths QA sends (<c>latencyMs.p99</c>,
/// <c>declineCodes.99</c>), so a problem-details 400 names the field the caller got wrong.
/// </summary>
public static class SettingsValidator
{
    public static Dictionary<string, string[]> Validate(ProcessorSettings s)
    {
        var errors = new Dictionary<string, string[]>();
        Rate(errors, "approvalRate", s.ApprovalRate);
        Rate(errors, "partialApprovalRate", s.PartialApprovalRate);
        Rate(errors, "errorRate", s.ErrorRate);
        Rate(errors, "timeoutRate", s.TimeoutRate);
        Rate(errors, "webhookFailureRate", s.WebhookFailureRate);
        Rate(errors, "webhookDuplicateRate", s.WebhookDuplicateRate);
        Rate(errors, "webhookReorderRate", s.WebhookReorderRate);
        if (s.WebhookReorderDelayMs is < 1 or > 600_000) errors["webhookReorderDelayMs"] = ["Must be between 1 and 600000 ms."];
        if (s.ErrorRate + s.TimeoutRate > 1) errors["timeoutRate"] = ["errorRate + timeoutRate must not exceed 1."];
        ErrorStatus(errors, "errorStatusCode", s.ErrorStatusCode);
        Latency(errors, "latencyMs", s.LatencyMs);
        Delay(errors, "webhookDelayMs", s.WebhookDelayMs);
        if (s.FailFirstCalls is < 0 or > 1_000_000) errors["failFirstCalls"] = ["Must be between 0 and 1000000."];
        if (s.DeclineCodes is null)
        {
            errors["declineCodes"] = ["Required."];
        }
        else
        {
            foreach (var (code, weight) in s.DeclineCodes)
            {
                if (!Iso8583ResponseCodes.IsKnownDecline(code))
                    errors[$"declineCodes.{code}"] = [$"Unknown ISO 8583 decline code '{code}'. Known: {string.Join(", ", Iso8583ResponseCodes.Declines.Keys)}."];
                else if (!double.IsFinite(weight) || weight < 0)
                    errors[$"declineCodes.{code}"] = ["Weight must be zero or more."];
            }
            if (s.ApprovalRate < 1 && s.DeclineCodes.Count > 0 && s.DeclineCodes.Values.Sum() <= 0 && !errors.Keys.Any(k => k.StartsWith("declineCodes", StringComparison.Ordinal)))
                errors["declineCodes"] = ["At least one weight must be above zero."];
        }
        if (s.Operations is not null)
        {
            foreach (var (name, o) in s.Operations)
            {
                var p = $"operations.{name}";
                if (!ProcessorOperations.All.Contains(name))
                {
                    errors[p] = [$"Unknown operation. Known: {string.Join(", ", ProcessorOperations.All)}."];
                    continue;
                }
                if (o is null) continue;
                if (o.ApprovalRate is { } a) Rate(errors, p + ".approvalRate", a);
                if (o.ErrorRate is { } e) Rate(errors, p + ".errorRate", e);
                if (o.TimeoutRate is { } t) Rate(errors, p + ".timeoutRate", t);
                if (o.WebhookFailureRate is { } w) Rate(errors, p + ".webhookFailureRate", w);
                if (o.LatencyMs is { } l) Latency(errors, p + ".latencyMs", l);
                if (o.WebhookDelayMs is { } d) Delay(errors, p + ".webhookDelayMs", d);
            }
        }
        if (s.Seed is < 0) errors["seed"] = ["Must be zero or more."];
        return errors;
    }

    public static Dictionary<string, string[]> Validate(BureauSettings s)
    {
        var errors = new Dictionary<string, string[]>();
        if (!double.IsFinite(s.DefaultScoreMean) || s.DefaultScoreMean is < 300 or > 850)
            errors["defaultScoreMean"] = ["Must be between 300 and 850."];
        if (!double.IsFinite(s.DefaultScoreStdDev) || s.DefaultScoreStdDev is < 0 or > 300)
            errors["defaultScoreStdDev"] = ["Must be between 0 and 300."];
        if (s.HardPullPenalty is < 0 or > 100) errors["hardPullPenalty"] = ["Must be between 0 and 100."];
        Rate(errors, "errorRate", s.ErrorRate);
        Rate(errors, "timeoutRate", s.TimeoutRate);
        if (s.ErrorRate + s.TimeoutRate > 1) errors["timeoutRate"] = ["errorRate + timeoutRate must not exceed 1."];
        ErrorStatus(errors, "errorStatusCode", s.ErrorStatusCode);
        Latency(errors, "latencyMs", s.LatencyMs);
        if (s.Seed is < 0) errors["seed"] = ["Must be zero or more."];
        if (s.PersonaRules is null)
        {
            errors["personaRules"] = ["Required (may be empty)."];
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < s.PersonaRules.Count; i++)
            {
                var rule = s.PersonaRules[i];
                var p = string.Create(CultureInfo.InvariantCulture, $"personaRules[{i}]");
                if (rule is null) { errors[p] = ["Required."]; continue; }
                if (string.IsNullOrEmpty(rule.SsnPrefix) || rule.SsnPrefix.Length > 9 || !rule.SsnPrefix.All(char.IsAsciiDigit))
                    errors[p + ".ssnPrefix"] = ["Must be 1 to 9 digits."];
                else if (!seen.Add(rule.SsnPrefix))
                    errors[p + ".ssnPrefix"] = ["Duplicate prefix."];
                if (rule.Score is { } score) Score(errors, p + ".score", score);
                if (rule.Flags is null) errors[p + ".flags"] = ["Required."];
            }
        }
        return errors;
    }

    public static Dictionary<string, string[]> Validate(string ssn, ApplicantOverrideRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (Ssn.Normalize(ssn) is null) errors["ssn"] = ["Must be 9 digits (dashes allowed)."];
        if (request.Score is { } score) Score(errors, "score", score);
        if (request.Score is null && request.Flags is null) errors["score"] = ["Give a score, flags or both."];
        return errors;
    }

    private static void Score(Dictionary<string, string[]> errors, string field, int score)
    {
        if (score is < 300 or > 850) errors[field] = ["Must be between 300 and 850."];
    }

    private static void Rate(Dictionary<string, string[]> errors, string field, double value)
    {
        if (!double.IsFinite(value) || value is < 0 or > 1) errors[field] = ["Must be between 0 and 1."];
    }

    private static void ErrorStatus(Dictionary<string, string[]> errors, string field, int value)
    {
        if (value is < 500 or > 599) errors[field] = ["Must be an HTTP 5xx status."];
    }

    private static void Delay(Dictionary<string, string[]> errors, string field, int value)
    {
        if (value is < 0 or > 3_600_000) errors[field] = ["Must be between 0 and 3600000 ms."];
    }

    private static void Latency(Dictionary<string, string[]> errors, string field, LatencySettings? l)
    {
        if (l is null) { errors[field] = ["Required."]; return; }
        if (l.Min < 0) errors[field + ".min"] = ["Must be zero or more."];
        if (l.Median < 0) errors[field + ".median"] = ["Must be zero or more."];
        if (l.P99 < 0) errors[field + ".p99"] = ["Must be zero or more."];
        if (l.P99 > 120_000) errors[field + ".p99"] = ["Must be at most 120000 ms."];
        if (l.Median < l.Min) errors.TryAdd(field + ".median", ["Must be at least min."]);
        if (l.P99 < l.Median) errors.TryAdd(field + ".p99", ["Must be at least median."]);
    }
}

/// <summary>SSN handling in one place: normalising and the one-way id used instead of the number.</summary>
public static class Ssn
{
    /// <summary>The nine digits, or null when it is not an SSN.</summary>
    public static string? Normalize(string? ssn)
    {
        if (ssn is null) return null;
        Span<char> digits = stackalloc char[9];
        var n = 0;
        foreach (var c in ssn)
        {
            if (c == '-' || c == ' ') continue;
            if (!char.IsAsciiDigit(c) || n == 9) return null;
            digits[n++] = c;
        }
        return n == 9 ? new string(digits) : null;
    }

    /// <summary>A stable, non-reversible-at-a-glance id for an SSN (hex of SHA-256 over a domain tag and the digits).</summary>
    public static string Id(string normalizedSsn) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.ASCII.GetBytes("platform-bureau-sim:" + normalizedSsn)))[..32];
}
