using System.Text.Json.Serialization;
using Platform.SimControl.Settings;
using Platform.SimControl.Simulation;
using Platform.ServiceDefaults.OpenApi;

namespace Platform.SimControl.Bureau;

public sealed record ApplicantAddress(string? Line1, string? Line2, string? City, string? State, string? PostalCode);

public sealed record Applicant(string? FirstName, string? LastName, string? Ssn, DateOnly? DateOfBirth, ApplicantAddress? Address);

public sealed record CreditReportRequest(Applicant? Applicant, string? InquiryType) : IOpenApiExample<CreditReportRequest>
{
    public static CreditReportRequest Example => new(new Applicant("Avery", "Example", "123-45-6789", new DateOnly(1988, 4, 2),
        new ApplicantAddress("12 Example Street", null, "Springfield", "IL", "62701")), "soft");
}

public sealed record ScoreFactor(string Code, string Text);

public sealed record TradelineSummary(
    int TotalAccounts,
    int OpenAccounts,
    long RevolvingBalance,
    long RevolvingLimit,
    double RevolvingUtilization,
    long InstallmentBalance,
    int OldestAccountAgeMonths,
    int Delinquencies30Days,
    int Delinquencies90Days,
    int PublicRecords,
    int Collections);

public sealed record Inquiry(DateTimeOffset At, string Type, string ReportId);

/// <summary>A credit report. <c>score</c> is null when there is no file (noHit) or the file is frozen.</summary>
public sealed record CreditReportResponse(
    string ReportId,
    string InquiryType,
    int? Score,
    string ScoreModel,
    IReadOnlyList<ScoreFactor> Factors,
    TradelineSummary Tradelines,
    IReadOnlyList<Inquiry> Inquiries,
    BureauFlags Flags,
    string ApplicantSsnLast4,
    DateTimeOffset GeneratedAt);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreditReportRequest))]
[JsonSerializable(typeof(CreditReportResponse))]
[JsonSerializable(typeof(Inquiry))]
internal sealed partial class BureauJsonContext : JsonSerializerContext;

/// <summary>
/// Builds reports. Everything about an applicant is drawn from a stream seeded by (bureau seed, SSN digest), so the same
/// SSN gets the same report; personas (by SSN prefix) and QA overrides then pin score and flags.
/// </summary>
internal static class CreditReports
{
    public static readonly IReadOnlySet<string> FlagNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "noHit", "thinFile", "frozen", "fraudAlert", "recentBankruptcy", "deceased",
    };

    public const string ScoreModel = "SimScore 8 (300-850)";

    public static CreditReportResponse Build(
        string normalizedSsn, string inquiryType, BureauSettings settings, ApplicantOverride? applicantOverride, SimScenarioHeader header,
        IReadOnlyList<Inquiry> priorInquiries, string reportId, DateTimeOffset now)
    {
        var random = SimRandom.FromText($"{settings.Seed ?? 0}|bureau|{Ssn.Id(normalizedSsn)}");
        var drawn = (int)Math.Round(settings.DefaultScoreMean + settings.DefaultScoreStdDev * random.NextGaussian());
        var flags = new BureauFlags();
        int? score = drawn;
        var pinned = false;

        var persona = settings.PersonaRules
            .Where(p => normalizedSsn.StartsWith(p.SsnPrefix, StringComparison.Ordinal))
            .OrderByDescending(p => p.SsnPrefix.Length).FirstOrDefault();
        if (persona is not null)
        {
            flags = persona.Flags.Clone();
            if (persona.Score is { } s) score = s;
        }
        if (applicantOverride is not null)
        {
            flags = applicantOverride.Flags.Clone();
            if (applicantOverride.Score is { } s) { score = s; pinned = true; }
        }
        if (header.Score is { } forced) { score = forced; pinned = true; }
        foreach (var flag in header.Flags) SetFlag(flags, flag);

        // A hard inquiry costs a few points on every later report; a score QA pinned stays as pinned.
        var hardInquiries = priorInquiries.Count(i => i.Type == "hard" && i.At > now.AddMonths(-12));
        if (!pinned) score -= hardInquiries * settings.HardPullPenalty;
        score = Math.Clamp(score!.Value, 300, 850);

        var tradelines = Tradelines(random, score.Value, flags);
        if (flags.NoHit || flags.Frozen)
        {
            score = null;
            tradelines = new TradelineSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }
        var factors = score is null ? [] : Factors(score.Value, tradelines, hardInquiries, flags);
        return new CreditReportResponse(reportId, inquiryType, score, ScoreModel, factors, tradelines,
            flags.NoHit || flags.Frozen ? [] : priorInquiries, flags, normalizedSsn[^4..], now);
    }

    private static void SetFlag(BureauFlags flags, string name)
    {
        switch (name)
        {
            case "noHit": flags.NoHit = true; break;
            case "thinFile": flags.ThinFile = true; break;
            case "frozen": flags.Frozen = true; break;
            case "fraudAlert": flags.FraudAlert = true; break;
            case "recentBankruptcy": flags.RecentBankruptcy = true; break;
            case "deceased": flags.Deceased = true; break;
        }
    }

    /// <summary>Tradelines consistent with the score: lower scores carry more utilisation and delinquency.</summary>
    private static TradelineSummary Tradelines(SimRandom random, int score, BureauFlags flags)
    {
        var quality = (score - 300) / 550.0;
        var total = flags.ThinFile ? random.NextInt(1, 3) : random.NextInt(3, 25);
        var open = Math.Max(1, (int)Math.Round(total * (0.4 + 0.4 * random.NextDouble())));
        var limit = (long)Math.Round((flags.ThinFile ? 50_000 : 200_000 + 2_000_000 * quality) * (0.5 + random.NextDouble()));
        var utilization = Math.Clamp(0.95 - 0.85 * quality + 0.15 * (random.NextDouble() - 0.5), 0.01, 1.0);
        var balance = (long)Math.Round(limit * utilization);
        var installment = (long)Math.Round(random.NextDouble() * 3_000_000 * (flags.ThinFile ? 0.1 : 1));
        var oldest = flags.ThinFile ? random.NextInt(3, 18) : random.NextInt(24, 24 + (int)(300 * quality) + 1);
        var late30 = quality < 0.55 ? random.NextInt(1, 6) : quality < 0.7 ? random.NextInt(0, 2) : 0;
        var late90 = quality < 0.4 ? random.NextInt(1, 4) : 0;
        var publicRecords = flags.RecentBankruptcy ? 1 : 0;
        var collections = quality < 0.35 ? random.NextInt(1, 4) : 0;
        return new TradelineSummary(total, Math.Min(open, total), balance, limit, Math.Round(utilization, 2), installment, oldest,
            late30, late90, publicRecords, collections);
    }

    /// <summary>Up to four adverse-action style reason codes, most important first.</summary>
    private static IReadOnlyList<ScoreFactor> Factors(int score, TradelineSummary t, int hardInquiries, BureauFlags flags)
    {
        var factors = new List<ScoreFactor>();
        if (flags.RecentBankruptcy || t.PublicRecords > 0) factors.Add(new("16", "Serious delinquency, and public record or collection filed"));
        if (t.Delinquencies90Days > 0 || t.Collections > 0) factors.Add(new("02", "Level of delinquency on accounts"));
        else if (t.Delinquencies30Days > 0) factors.Add(new("18", "Number of accounts with delinquency"));
        if (t.RevolvingUtilization > 0.3) factors.Add(new("10", "Proportion of balances to credit limits on revolving accounts is too high"));
        if (flags.ThinFile || t.TotalAccounts < 3) factors.Add(new("09", "Too few accounts currently paid as agreed"));
        if (t.OldestAccountAgeMonths < 84) factors.Add(new("14", "Length of time accounts have been established"));
        if (hardInquiries > 0) factors.Add(new("08", "Too many inquiries last 12 months"));
        if (factors.Count < 4 && score < 800) factors.Add(new("32", "Lack of recent installment loan information"));
        return factors.Take(4).ToList();
    }
}
