using System.Runtime.CompilerServices;
using System.Threading.Channels;
using StackExchange.Redis;

namespace Platform.SimControl.Settings;

/// <summary>
/// Settings in Redis. Reads are served from the in-memory <see cref="SettingsSnapshot"/>; a write answers once every
/// instance has loaded it, so the next request anywhere uses the change. The pub/sub notice also tells open panels.
/// Each change is stored, appended to the history list and queued for the audit spine in one Redis transaction.
/// </summary>
internal sealed partial class RedisSimulatorSettingsStore : ISimulatorSettingsStore, IDisposable
{
    private const int HistoryLength = 1000;
    private readonly IConnectionMultiplexer redis;
    private readonly TimeProvider time;
    private readonly ILogger<RedisSimulatorSettingsStore> logger;
    private readonly SettingsSnapshot snapshot;
    private readonly List<Channel<SettingsChangeNotification>> watchers = [];
    private ChannelMessageQueue? subscription;

    public RedisSimulatorSettingsStore(IConnectionMultiplexer redis, TimeProvider time, ILogger<RedisSimulatorSettingsStore> logger)
    {
        this.redis = redis;
        this.time = time;
        this.logger = logger;
        snapshot = new SettingsSnapshot(redis, logger);
        Subscribe();
    }

    public event EventHandler<SettingsChangeNotification>? Changed;

    private IDatabase Db => redis.GetDatabase();

    public async Task<ProcessorSettings> GetProcessorSettingsAsync(CancellationToken cancellationToken = default) =>
        (await GetCurrentAsync()).Processor.Clone();

    public async Task<BureauSettings> GetBureauSettingsAsync(CancellationToken cancellationToken = default) =>
        (await GetCurrentAsync()).Bureau.Clone();

    /// <summary>The statistics epoch as of the snapshot, for recording without another round trip.</summary>
    internal long? LastKnownStatsEpoch => snapshot.Loaded?.StatsEpoch;

    /// <summary>The global settings version as of the snapshot (the journal's "scenario in force" is keyed by it).</summary>
    internal long? LastKnownGlobalVersion => snapshot.Loaded?.GlobalVersion;

    /// <summary>The settings the simulators use on the hot path, from memory: shared instances, not to be modified.</summary>
    internal ValueTask<CachedSettings> GetCurrentAsync() => snapshot.GetAsync();

    public Task<SettingsUpdateResult<ProcessorSettings>> UpdateProcessorSettingsAsync(ProcessorSettings settings, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = SettingsValidator.Validate(settings);
        if (errors.Count > 0) return Task.FromResult(SettingsUpdateResult<ProcessorSettings>.Invalid(errors));
        return ReplaceAsync(SimRedisKeys.ProcessorSettings, SettingsChangeKinds.Processor, settings.Clone(), actor,
            static () => new ProcessorSettings(),
            static (s, v, at, by) => { s.Version = v; s.UpdatedAt = at; s.UpdatedBy = by; },
            static s => s.Version);
    }

    public Task<SettingsUpdateResult<BureauSettings>> UpdateBureauSettingsAsync(BureauSettings settings, SettingsActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = SettingsValidator.Validate(settings);
        if (errors.Count > 0) return Task.FromResult(SettingsUpdateResult<BureauSettings>.Invalid(errors));
        return ReplaceAsync(SimRedisKeys.BureauSettings, SettingsChangeKinds.Bureau, settings.Clone(), actor,
            static () => new BureauSettings(),
            static (s, v, at, by) => { s.Version = v; s.UpdatedAt = at; s.UpdatedBy = by; },
            static s => s.Version);
    }

    private async Task<SettingsUpdateResult<T>> ReplaceAsync<T>(
        RedisKey key, string kind, T after, SettingsActor actor, Func<T> defaults, Action<T, long, DateTimeOffset, string> stamp, Func<T, long> versionOf)
        where T : class
    {
        // Optimistic concurrency: two writers at once both succeed, one after the other, each with a true "before".
        for (var attempt = 0; ; attempt++)
        {
            var beforeJson = await Db.StringGetAsync(key);
            var before = SettingsJson.Deserialize<T>(beforeJson) ?? defaults();
            var now = time.GetUtcNow();
            stamp(after, versionOf(before) + 1, now, actor.Id);
            var change = NewChange(kind, kind, actor, now, Summaries.Diff(before, after), SettingsJson.ToElement(before), SettingsJson.ToElement(after));

            var tx = Db.CreateTransaction();
            tx.AddCondition(beforeJson.IsNull ? Condition.KeyNotExists(key) : Condition.StringEqual(key, beforeJson));
            _ = tx.StringSetAsync(key, SettingsJson.Serialize(after));
            var version = tx.StringIncrementAsync(SimRedisKeys.SettingsVersion);
            QueueChange(tx, change);
            if (await tx.ExecuteAsync())
            {
                await PublishAsync(change, await version);
                return SettingsUpdateResult<T>.Ok(SettingsJson.Clone(after));
            }
            if (attempt >= 20) throw new InvalidOperationException($"Could not store {kind} settings: too many concurrent changes.");
        }
    }

    public async Task<IReadOnlyList<SettingsChange>> GetHistoryAsync(int count = 200, CancellationToken cancellationToken = default)
    {
        var items = await Db.ListRangeAsync(SimRedisKeys.History, 0, Math.Clamp(count, 1, HistoryLength) - 1);
        return items.Select(i => SettingsJson.Deserialize<SettingsChange>(i)!).ToList();
    }

    public async Task ResetAsync(SettingsActor actor, CancellationToken cancellationToken = default)
    {
        var current = await snapshot.ReloadAsync();
        var now = time.GetUtcNow();
        var processor = new ProcessorSettings { Version = current.Processor.Version + 1, UpdatedAt = now, UpdatedBy = actor.Id };
        var bureau = new BureauSettings { Version = current.Bureau.Version + 1, UpdatedAt = now, UpdatedBy = actor.Id };
        var inquiryKeys = (await Db.SetMembersAsync(SimRedisKeys.InquiryIndex)).Select(m => SimRedisKeys.Inquiries(m.ToString())).ToArray();
        var change = NewChange(SettingsChangeKinds.Reset, "all", actor, now,
            "simulators reset: default settings, no applicant overrides, no inquiries, no active scenario, statistics cleared",
            null, null);

        var tx = Db.CreateTransaction();
        _ = tx.StringSetAsync(SimRedisKeys.ProcessorSettings, SettingsJson.Serialize(processor));
        _ = tx.StringSetAsync(SimRedisKeys.BureauSettings, SettingsJson.Serialize(bureau));
        _ = tx.KeyDeleteAsync([SimRedisKeys.ApplicantOverrides, SimRedisKeys.ActiveScenario, SimRedisKeys.InquiryIndex, .. inquiryKeys]);
        // Statistics keys carry the epoch, so bumping it starts them from zero without scanning.
        _ = tx.StringIncrementAsync(SimRedisKeys.StatsEpoch);
        _ = tx.StringSetAsync(SimRedisKeys.StatsResetAt, now.ToUnixTimeMilliseconds());
        var version = tx.StringIncrementAsync(SimRedisKeys.SettingsVersion);
        QueueChange(tx, change);
        await tx.ExecuteAsync();
        await PublishAsync(change, await version);
    }

    /// <summary>Records a change that is not a settings write (a scenario applied or ending) in history and audit.</summary>
    internal async Task RecordAsync(string kind, string target, SettingsActor actor, string summary, System.Text.Json.JsonElement? details)
    {
        var change = NewChange(kind, target, actor, time.GetUtcNow(), summary, null, details);
        var tx = Db.CreateTransaction();
        var version = tx.StringIncrementAsync(SimRedisKeys.SettingsVersion);
        QueueChange(tx, change);
        await tx.ExecuteAsync();
        await PublishAsync(change, await version);
    }

    private static SettingsChange NewChange(string kind, string target, SettingsActor actor, DateTimeOffset at, string summary,
        System.Text.Json.JsonElement? before, System.Text.Json.JsonElement? after) => new()
    {
        Id = Guid.CreateVersion7(at).ToString("N"),
        At = at,
        Kind = kind,
        Target = target,
        ActorType = actor.Type,
        ActorId = actor.Id,
        OriginIp = actor.OriginIp,
        Summary = summary,
        Before = before,
        After = after,
    };

    private static void QueueChange(ITransaction tx, SettingsChange change)
    {
        var json = SettingsJson.Serialize(change);
        _ = tx.ListLeftPushAsync(SimRedisKeys.History, json);
        _ = tx.ListTrimAsync(SimRedisKeys.History, 0, HistoryLength - 1);
        // The durable queue the audit forwarder drains (oldest at the right); it survives the API being down.
        _ = tx.ListLeftPushAsync(SimRedisKeys.AuditOutbox, SettingsJson.Serialize(new AuditForwardItem { Change = change }));
    }

    private async Task PublishAsync(SettingsChange change, long version)
    {
        await snapshot.ReloadAsync();
        var notification = new SettingsChangeNotification { Kind = change.Kind, Target = change.Target, Version = version, At = change.At, ChangeId = change.Id };
        try
        {
            var receivers = await redis.GetSubscriber().PublishAsync(SimRedisKeys.Changes, SettingsJson.Serialize(notification));
            await snapshot.WaitForAppliedAsync(version, receivers);
        }
        catch (RedisException ex)
        {
            // The change is stored; other instances still pick it up on their next periodic version check.
            logger.LogWarning(ex, "Could not publish settings change {ChangeId}", change.Id);
        }
    }

    private void Subscribe()
    {
        subscription = redis.GetSubscriber().Subscribe(SimRedisKeys.Changes);
        subscription.OnMessage(async message =>
        {
            var notification = SettingsJson.Deserialize<SettingsChangeNotification>(message.Message);
            if (notification is null) return;
            try
            {
                await snapshot.OnChangeAsync(notification.Version);
            }
            catch (RedisException ex)
            {
                logger.LogWarning(ex, "Could not load settings version {Version}; the periodic check will", notification.Version);
            }
            lock (watchers)
            {
                foreach (var w in watchers) w.Writer.TryWrite(notification);
            }
            try
            {
                Changed?.Invoke(this, notification);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A settings change handler failed");
            }
        });
    }

    public async IAsyncEnumerable<SettingsChangeNotification> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<SettingsChangeNotification>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (watchers) watchers.Add(channel);
        try
        {
            await foreach (var n in channel.Reader.ReadAllAsync(cancellationToken)) yield return n;
        }
        finally
        {
            lock (watchers) watchers.Remove(channel);
        }
    }

    public void Dispose()
    {
        snapshot.Dispose();
        try
        {
            subscription?.Unsubscribe(CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or RedisException)
        {
            // Shutting down: the connection (or its telemetry hook) may already be gone, and with it the subscription.
        }
    }
}
