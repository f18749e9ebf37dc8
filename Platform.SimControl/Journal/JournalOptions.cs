using System.ComponentModel.DataAnnotations;

namespace Platform.SimControl.Journal;

/// <summary>Settings under <c>Journal</c>.</summary>
public sealed class JournalOptions
{
    public const string SectionName = "Journal";

    /// <summary>How many entries the journal keeps (the newest); older ones are trimmed as new ones arrive.</summary>
    [Range(100, 1_000_000)]
    public int Retention { get; set; } = 10_000;

    /// <summary>
    /// Entries waiting to be written, per instance. When Redis cannot keep up the newest entries beyond this are dropped
    /// (and counted) rather than slowing the simulated requests down.
    /// </summary>
    [Range(100, 1_000_000)]
    public int BufferCapacity { get; set; } = 20_000;

    /// <summary>How long a replayed request may take before the replay gives up waiting for its answer.</summary>
    [Range(1, 600)]
    public int ReplayTimeoutSeconds { get; set; } = 30;

    /// <summary>Where this instance sends replays (itself); empty: the first HTTP address the server listens on.</summary>
    [Url]
    public string? ReplayBaseAddress { get; set; }
}
