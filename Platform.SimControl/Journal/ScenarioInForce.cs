using System.Text.Json;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Journal;

/// <summary>
/// Which named scenario is in force: the last one applied, as long as the settings are still the version it left
/// (any later change, a reset or a timed scenario ending moves the version on). Looked up once per settings version
/// and instance, so the journal does not read Redis per entry.
/// </summary>
internal sealed class ScenarioInForce(IConnectionMultiplexer redis)
{
    private readonly Lock gate = new();
    private long cachedVersion = -1;
    private string? cachedName;

    /// <summary>Called by the scenario service once a scenario's settings are stored.</summary>
    public async Task MarkAppliedAsync(string name)
    {
        var db = redis.GetDatabase();
        var version = (long?)await db.StringGetAsync(SimRedisKeys.SettingsVersion) ?? 0;
        await db.StringSetAsync(SimRedisKeys.ScenarioInForce, JsonSerializer.Serialize(new ScenarioMarker(name, version), JournalJsonContext.Default.ScenarioMarker));
    }

    public async Task<string?> ResolveAsync(long? globalSettingsVersion)
    {
        if (globalSettingsVersion is not { } version) return null;
        lock (gate)
        {
            if (version == cachedVersion) return cachedName;
        }
        var json = await redis.GetDatabase().StringGetAsync(SimRedisKeys.ScenarioInForce);
        var marker = json.IsNullOrEmpty ? null : JsonSerializer.Deserialize((string)json!, JournalJsonContext.Default.ScenarioMarker);
        var name = marker is not null && marker.SettingsVersion == version ? marker.Name : null;
        lock (gate)
        {
            // Only move forward: a late entry of an older version must not replace the newer answer.
            if (version >= cachedVersion)
            {
                cachedVersion = version;
                cachedName = name;
            }
        }
        return name;
    }
}
