using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Platform.SimControl.Settings;

/// <remarks>The statistics epoch rides along: a reset bumps the global version, so the first request after it sees the new epoch.</remarks>
internal sealed record CachedSettings(long GlobalVersion, long StatsEpoch, ProcessorSettings Processor, BureauSettings Bureau);

/// <summary>
/// The settings in force, in memory, so a simulated request reads them without a Redis round trip. A change notice
/// (pub/sub) makes every instance reload and then say so on <see cref="SimRedisKeys.ChangesApplied"/>; the writer waits
/// (briefly) until every instance that got the notice has, so the next request anywhere uses the change. A notice
/// missed (a reconnect, a slow subscriber) is caught by comparing the global version key every second.
/// </summary>
internal sealed class SettingsSnapshot : IDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AppliedWait = TimeSpan.FromMilliseconds(500);

    private readonly IConnectionMultiplexer redis;
    private readonly ILogger logger;
    private readonly string instanceId = Guid.NewGuid().ToString("N");
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<string, long> appliedByInstance = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim loading = new(1, 1);
    private CachedSettings? current;
    private int disposed;
    private TaskCompletionSource appliedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChannelMessageQueue? applied;

    public SettingsSnapshot(IConnectionMultiplexer redis, ILogger logger)
    {
        this.redis = redis;
        this.logger = logger;
        applied = redis.GetSubscriber().Subscribe(SimRedisKeys.ChangesApplied);
        applied.OnMessage(OnApplied);
        _ = RefreshPeriodicallyAsync(stopping.Token);
    }

    /// <summary>The snapshot as of now, if one has been loaded.</summary>
    public CachedSettings? Loaded => current;

    /// <summary>The snapshot; loaded from Redis only the first time (or after a change this instance has not loaded yet).</summary>
    public ValueTask<CachedSettings> GetAsync() => current is { } c ? ValueTask.FromResult(c) : new(ReloadAsync());

    /// <summary>Reads the settings from Redis now and makes them the snapshot (unless a newer one got there first).</summary>
    public async Task<CachedSettings> ReloadAsync(bool evenIfOlder = false)
    {
        await loading.WaitAsync();
        try
        {
            var db = redis.GetDatabase();
            var values = await db.StringGetAsync([SimRedisKeys.SettingsVersion, SimRedisKeys.ProcessorSettings, SimRedisKeys.BureauSettings, SimRedisKeys.StatsEpoch]);
            var loaded = new CachedSettings(
                (long?)values[0] ?? 0,
                (long?)values[3] ?? 0,
                SettingsJson.Deserialize<ProcessorSettings>(values[1]) ?? new ProcessorSettings(),
                SettingsJson.Deserialize<BureauSettings>(values[2]) ?? new BureauSettings());
            lock (gate)
            {
                if (evenIfOlder || current is null || current.GlobalVersion <= loaded.GlobalVersion) current = loaded;
                return current;
            }
        }
        finally
        {
            loading.Release();
        }
    }

    /// <summary>A change notice: reload if it is newer than the snapshot, then tell the writer this instance has it.</summary>
    public async Task OnChangeAsync(long version)
    {
        var snapshot = current is { } c && c.GlobalVersion >= version ? c : await ReloadAsync();
        await AnnounceAsync(snapshot.GlobalVersion);
    }

    /// <summary>Waits until <paramref name="receivers"/> instances have a snapshot at <paramref name="version"/> or later, or the wait is up.</summary>
    public async Task WaitForAppliedAsync(long version, long receivers)
    {
        var deadline = DateTime.UtcNow + AppliedWait;
        while (true)
        {
            Task changed;
            lock (gate) changed = appliedChanged.Task;
            if (appliedByInstance.Values.Count(v => v >= version) >= receivers) return;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                // The change is stored; an instance that did not answer picks it up on its next periodic check.
                logger.LogWarning("Settings version {Version}: not every instance confirmed it within {Wait} ms", version, AppliedWait.TotalMilliseconds);
                return;
            }
            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    private async Task AnnounceAsync(long version)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(SimRedisKeys.ChangesApplied, instanceId + ":" + version.ToString(CultureInfo.InvariantCulture));
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not confirm settings version {Version}", version);
        }
    }

    private void OnApplied(ChannelMessage message)
    {
        var text = message.Message.ToString();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return;
        appliedByInstance.AddOrUpdate(text[..colon], version, (_, was) => Math.Max(was, version));
        TaskCompletionSource signal;
        lock (gate)
        {
            signal = appliedChanged;
            appliedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RefreshEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var version = (long?)await redis.GetDatabase().StringGetAsync(SimRedisKeys.SettingsVersion) ?? 0;
                    // Older too: the version key only goes back when Redis lost its data, and then the snapshot must follow.
                    if (current is null || current.GlobalVersion != version) await ReloadAsync(evenIfOlder: true);
                }
                catch (RedisException ex)
                {
                    logger.LogWarning(ex, "Could not check the settings version; serving the last snapshot");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    public void Dispose()
    {
        // Hosts may dispose their services twice (WebApplicationFactory does); the second time is a no-op.
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        stopping.Cancel();
        try
        {
            applied?.Unsubscribe(CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or RedisException)
        {
            // Shutting down: the connection may already be gone, and with it the subscription.
        }
        stopping.Dispose();
    }
}
