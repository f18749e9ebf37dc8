using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Journal;

/// <summary>
/// Drains the journal queue: masks and serialises each entry, then pushes a batch onto the Redis list and trims it to
/// the retention in one round trip, so the cost per simulated request stays a queue write however busy it is. A
/// failure is logged once by the worker loop and never stops simcontrol.
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
        var loop = new WorkerLoop(logger, "Request journal writer");
        var batch = new List<PendingJournalEntry>(MaxBatch);
        await loop.RunAsync(async token =>
            {
                batch.Clear();
                if (!await journal.Queue.WaitToReadAsync(token)) return;
                while (batch.Count < MaxBatch && journal.Queue.TryRead(out var entry)) batch.Add(entry);
                // A batch that cannot be written is lost (the loop logs it once and backs off): the journal is a record, not a ledger.
                await WriteAsync(batch);
                ReportDrops();
            },
            _ => Task.CompletedTask, stoppingToken);

        // What is still queued at shutdown is written if Redis answers.
        batch.Clear();
        while (journal.Queue.TryRead(out var entry)) batch.Add(entry);
        try
        {
            if (batch.Count > 0) await WriteAsync(batch);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
        }
    }

    private Task WriteAsync(List<PendingJournalEntry> batch) =>
        BackgroundTelemetry.UntracedAsync(async () =>
        {
            var values = new RedisValue[batch.Count];
            for (var i = 0; i < batch.Count; i++) values[i] = await SerializeAsync(batch[i]);
            var redisBatch = redis.GetDatabase().CreateBatch();
            // LPUSH of several values puts the last one at the head: the queue order (oldest first) leaves the newest on top.
            var push = redisBatch.ListLeftPushAsync(SimRedisKeys.Journal, values);
            var trim = redisBatch.ListTrimAsync(SimRedisKeys.Journal, 0, options.Value.Retention - 1);
            redisBatch.Execute();
            await Task.WhenAll(push, trim);
        });

    private void ReportDrops()
    {
        var drops = journal.Dropped;
        if (drops <= reportedDrops) return;
        LogDropped(logger, drops - reportedDrops, options.Value.BufferCapacity);
        reportedDrops = drops;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The request journal dropped {Count} entries: more than {Capacity} were waiting to be written")]
    private static partial void LogDropped(ILogger logger, long count, int capacity);
}
