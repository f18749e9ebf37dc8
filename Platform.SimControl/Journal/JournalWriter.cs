using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Journal;

/// <summary>
/// Drains the journal queue: masks and serialises each entry, then pushes a batch onto the Redis list and trims it to
/// the retention in one round trip, so the cost per simulated request stays a queue write however busy it is.
/// </summary>
internal sealed partial class JournalWriter(
    RequestJournal journal, ScenarioInForce scenarios, IConnectionMultiplexer redis, IDataProtectionProvider protection,
    IOptions<JournalOptions> options, ILogger<JournalWriter> logger) : BackgroundService
{
    public const string ReplayPurpose = "Platform.SimControl.Journal.Replay";
    private const int MaxBatch = 500;
    private readonly IDataProtector protector = protection.CreateProtector(ReplayPurpose);
    private long reportedDrops;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingJournalEntry>(MaxBatch);
        try
        {
            while (await journal.Queue.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && journal.Queue.TryRead(out var entry)) batch.Add(entry);
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException)
        {
        }
        // What is still queued at shutdown is written if Redis answers quickly; the journal is a record, not a ledger.
        while (journal.Queue.TryRead(out var entry)) batch.Add(entry);
        if (batch.Count > 0) await WriteAsync(batch);
    }

    private async Task WriteAsync(List<PendingJournalEntry> batch)
    {
        try
        {
            await BackgroundTelemetry.UntracedAsync(async () =>
            {
                var values = new RedisValue[batch.Count];
                for (var i = 0; i < batch.Count; i++) values[i] = await SerializeAsync(batch[i]);
                var db = redis.GetDatabase();
                var redisBatch = db.CreateBatch();
                // LPUSH of several values puts the last one at the head: the queue order (oldest first) leaves the newest on top.
                var push = redisBatch.ListLeftPushAsync(SimRedisKeys.Journal, values);
                var trim = redisBatch.ListTrimAsync(SimRedisKeys.Journal, 0, options.Value.Retention - 1);
                redisBatch.Execute();
                await Task.WhenAll(push, trim);
            });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogWriteFailed(logger, batch.Count, ex);
        }
        var drops = journal.Dropped;
        if (drops > reportedDrops)
        {
            LogDropped(logger, drops - reportedDrops, options.Value.BufferCapacity);
            reportedDrops = drops;
        }
    }

    internal async Task<string> SerializeAsync(PendingJournalEntry p)
    {
        var (shown, original) = JournalRequestBody.Prepare(p.Request);
        var scenario = await scenarios.ResolveAsync(p.GlobalSettingsVersion);
        var entry = new JournalEntry(p.Id, p.At, p.Simulator, p.Operation, p.Method, p.Path, p.IdempotencyKey, p.ScenarioHeader, p.Outcome, p.Status,
            p.LatencyDrawnMs, p.DurationMs, p.SettingsVersion, scenario, shown, p.ReplayOf);
        var sealedRequest = original is null ? null : Convert.ToBase64String(protector.Protect(original));
        return JsonSerializer.Serialize(new StoredJournalEntry(entry, sealedRequest), JournalJsonContext.Default.StoredJournalEntry);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Count} request-journal entries; they are lost")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The request journal dropped {Count} entries: more than {Capacity} were waiting to be written")]
    private static partial void LogDropped(ILogger logger, long count, int capacity);
}
