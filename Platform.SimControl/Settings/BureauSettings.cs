using Platform.ServiceDefaults.OpenApi;

namespace Platform.SimControl.Settings;

/// <summary>The flags a credit report can carry.</summary>
public sealed class BureauFlags
{
    public bool NoHit { get; set; }
    public bool ThinFile { get; set; }
    public bool Frozen { get; set; }
    public bool FraudAlert { get; set; }
    public bool RecentBankruptcy { get; set; }
    public bool Deceased { get; set; }

    public BureauFlags Clone() => (BureauFlags)MemberwiseClone();

    public bool Any => NoHit || ThinFile || Frozen || FraudAlert || RecentBankruptcy || Deceased;
}

/// <summary>
/// A persona: every SSN starting with <see cref="SsnPrefix"/> (digits only) gets this score and these flags.
/// The defaults use area number 000, which is never issued, so they cannot collide with a real person.
/// </summary>
public sealed class BureauPersonaRule
{
    public string SsnPrefix { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The score; null keeps the drawn score.</summary>
    public int? Score { get; set; }
    public BureauFlags Flags { get; set; } = new();
}

/// <summary>How bureau-sim behaves.</summary>
public sealed class BureauSettings : IVersionedSettings<BureauSettings>, IOpenApiExample<BureauSettings>
{
    /// <summary>The defaults; a PUT may send any subset of the fields.</summary>
    public static BureauSettings Example => new();

    /// <summary>Mean of the score distribution for applicants with no override or persona.</summary>
    public double DefaultScoreMean { get; set; } = 690;

    public double DefaultScoreStdDev { get; set; } = 70;

    /// <summary>Points a hard inquiry takes off the applicant's later scores.</summary>
    public int HardPullPenalty { get; set; } = 5;

    public double ErrorRate { get; set; }

    public int ErrorStatusCode { get; set; } = 503;

    public double TimeoutRate { get; set; }

    public LatencySettings LatencyMs { get; set; } = new() { Min = 20, Median = 60, P99 = 200 };

    /// <summary>Changes the population: a given SSN gets the same report for the same seed. Also makes error/timeout draws reproducible.</summary>
    public long? Seed { get; set; }

    public List<BureauPersonaRule> PersonaRules { get; set; } = DefaultPersonas();

    public long Version { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }

    public BureauSettings Clone() => SettingsJson.Clone(this);

    public static List<BureauPersonaRule> DefaultPersonas() =>
    [
        new() { SsnPrefix = "00000", Name = "No hit", Flags = new() { NoHit = true } },
        new() { SsnPrefix = "00001", Name = "Thin file", Score = 610, Flags = new() { ThinFile = true } },
        new() { SsnPrefix = "00002", Name = "Frozen file", Flags = new() { Frozen = true } },
        new() { SsnPrefix = "00003", Name = "Fraud alert", Flags = new() { FraudAlert = true } },
        new() { SsnPrefix = "00004", Name = "Recent bankruptcy", Score = 520, Flags = new() { RecentBankruptcy = true } },
        new() { SsnPrefix = "00005", Name = "Deceased", Flags = new() { Deceased = true } },
        new() { SsnPrefix = "00006", Name = "Subprime", Score = 540 },
        new() { SsnPrefix = "00007", Name = "Super-prime", Score = 820 },
    ];
}

/// <summary>
/// QA's fixed answer for one applicant. The SSN itself is never stored: <see cref="Id"/> is a one-way digest of it
/// and only the last four digits are kept for display.
/// </summary>
public sealed class ApplicantOverride
{
    public string Id { get; set; } = "";
    public string SsnLast4 { get; set; } = "";
    public int? Score { get; set; }
    public BureauFlags Flags { get; set; } = new();
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>An override set by SSN: the SSN travels in the body, never in a URL.</summary>
public sealed class ApplicantOverrideBySsnRequest : IOpenApiExample<ApplicantOverrideBySsnRequest>
{
    public static ApplicantOverrideBySsnRequest Example => new() { Ssn = "000-07-1234", Score = 580 };

    public string? Ssn { get; set; }
    public int? Score { get; set; }
    public BureauFlags? Flags { get; set; }
}

public sealed class ApplicantLookupRequest : IOpenApiExample<ApplicantLookupRequest>
{
    public static ApplicantLookupRequest Example => new() { Ssn = "000-07-1234" };

    public string? Ssn { get; set; }
}

/// <summary>What QA sets for one applicant (control API body and panel form).</summary>
public sealed class ApplicantOverrideRequest : IOpenApiExample<ApplicantOverrideRequest>
{
    public static ApplicantOverrideRequest Example => new() { Score = 580 };

    public int? Score { get; set; }
    public BureauFlags? Flags { get; set; }
}
