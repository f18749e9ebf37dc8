using System.Text.Json;

namespace Platform.SimControl.Settings;

/// <summary>Who changed a setting: a panel user, a control-API caller, or the system (timed scenario ending).</summary>
public sealed record SettingsActor(string Type, string Id, string? OriginIp = null)
{
    public static SettingsActor Panel(string? user, string? originIp = null) => new("user", string.IsNullOrWhiteSpace(user) ? "panel" : user, originIp);
    public static SettingsActor ControlApi(string? caller, string? originIp) => new("user", string.IsNullOrWhiteSpace(caller) ? "control-api" : caller, originIp);
    public static readonly SettingsActor System = new("system", "simcontrol");
}

/// <summary>What a change touched.</summary>
public static class SettingsChangeKinds
{
    public const string Processor = "processor";
    public const string Bureau = "bureau";
    public const string Applicant = "applicant";
    public const string Scenario = "scenario";
    public const string Reset = "reset";
}

/// <summary>One entry of the settings history: who, when, before and after.</summary>
public sealed class SettingsChange
{
    public string Id { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Kind { get; set; } = "";
    /// <summary>The thing changed, e.g. <c>processor</c>, an applicant id, a scenario name.</summary>
    public string Target { get; set; } = "";
    public string ActorType { get; set; } = "";
    public string ActorId { get; set; } = "";
    public string? OriginIp { get; set; }
    /// <summary>Human summary, e.g. "approvalRate 0.95 → 0".</summary>
    public string Summary { get; set; } = "";
    public JsonElement? Before { get; set; }
    public JsonElement? After { get; set; }
}

/// <summary>Pushed to every instance (Redis pub/sub) after a change is stored.</summary>
public sealed class SettingsChangeNotification
{
    public string Kind { get; set; } = "";
    public string Target { get; set; } = "";
    public long Version { get; set; }
    public DateTimeOffset At { get; set; }
    public string ChangeId { get; set; } = "";
}

/// <summary>The outcome of an update: either the stored value or the field errors (and nothing changed).</summary>
public sealed record SettingsUpdateResult<T>(T? Value, IReadOnlyDictionary<string, string[]> Errors) where T : class
{
    public bool Succeeded => Errors.Count == 0;

    public static SettingsUpdateResult<T> Ok(T value) => new(value, new Dictionary<string, string[]>());
    public static SettingsUpdateResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);
}

/// <summary>A change queued for the API's audit spine.</summary>
internal sealed class AuditForwardItem
{
    public SettingsChange Change { get; set; } = new();
    public int Attempts { get; set; }
}
