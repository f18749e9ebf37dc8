using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.SimControl.Journal;

/// <summary>
/// One simulated request as the simulator saw it. <c>outcome</c> is what the statistics count (an ISO 8583 response
/// code for authorize, else the HTTP status, or <c>timeout</c>); <c>latencyDrawnMs</c> is the latency the simulator drew
/// (or the header forced), <c>durationMs</c> how long the request took in all. <c>settingsVersion</c> is the simulator's
/// settings version the request used and <c>scenario</c> the named scenario in force, if the settings are still as it
/// left them. <c>request</c> is the body with SSNs masked to the last four and dates of birth removed.
/// </summary>
public sealed record JournalEntry(
    string Id,
    DateTimeOffset At,
    string Simulator,
    string Operation,
    string Method,
    string Path,
    string? IdempotencyKey,
    string? ScenarioHeader,
    string Outcome,
    int Status,
    int? LatencyDrawnMs,
    double DurationMs,
    long? SettingsVersion,
    string? Scenario,
    JsonElement? Request,
    string? ReplayOf);

/// <summary>Newest first. <c>retained</c> is how many entries the journal holds in all (at most its retention).</summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Entries, long Retained, int Retention);

/// <summary>The answer to a replay: the entry replayed, the new entry it made and how the simulator answered.</summary>
public sealed record JournalReplay(string ReplayOf, string? JournalId, int Status, string? Outcome);

/// <summary>What the journal keeps in Redis: the entry, plus the original body sealed when masking changed it (for replay).</summary>
internal sealed record StoredJournalEntry(JournalEntry Entry, string? SealedRequest);

internal sealed record ScenarioMarker(string Name, long SettingsVersion);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredJournalEntry))]
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(JournalPage))]
[JsonSerializable(typeof(JournalReplay))]
[JsonSerializable(typeof(ScenarioMarker))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;
