using System.ComponentModel.DataAnnotations;
using System.Data;
using Microsoft.Extensions.Options;
using Dapper;
using Npgsql;
using Platform.Api.Data;

namespace Platform.Api.Audit;

/// <summary>Settings under <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often committed events are sealed into a block (the unsealed tail is at most about this old).</summary>
    [Range(20, 60_000)]
    public int SealIntervalMs { get; set; } = 200;

    [Range(1, 100_000)]
    public int MaxEventsPerBlock { get; set; } = 5_000;
}

/// <summary>
/// Chains committed events into blocks. It reads events in seal order (the writing transaction's id, then the
/// sequence) after the last block, and only those written by transactions older than every transaction still
/// running (<c>pg_snapshot_xmin</c>): such a transaction has committed or aborted, so no event can later appear
/// before the block's end. One instance seals at a time (a session advisory lock), so the block chain never forks.
/// </summary>
internal sealed partial class AuditSealer(NpgsqlDataSource dataSource, TimeProvider time, ILogger<AuditSealer> logger)
{
    // "SEALER" in ASCII.
    private const long SealLockKey = 0x5345414C4552;
    private long refusedAt = -1;

    /// <summary>Seals one block of what is ready; the number of events sealed (0: nothing ready, or another instance is sealing).</summary>
    public async Task<int> SealAsync(int maxEvents, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_try_advisory_lock(@key)", new { key = SealLockKey },
                cancellationToken: cancellationToken))) return 0;
        try
        {
            // Under the lock, so this snapshot sees every block sealed before.
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var previous = await AuditBlock.LastAsync(tx, cancellationToken);
            var watermark = await connection.ExecuteScalarAsync<string>(new CommandDefinition("select pg_snapshot_xmin(pg_current_snapshot())::text",
                transaction: tx, cancellationToken: cancellationToken));
            var events = new List<(StoredAuditEvent Event, byte[] Hash)>();
            var rows = await connection.QueryAsync<AuditEventRow>(new CommandDefinition($"""
                select {StoredAuditEvent.SelectColumns} from audit.events
                where (txid, sequence) > (@afterTxid::xid8, @afterSequence) and txid < @watermark::xid8
                order by txid, sequence limit @maxEvents
                """, new { afterTxid = previous?.LastTxid ?? "0", afterSequence = previous?.LastSequence ?? 0L, watermark, maxEvents }, tx,
                cancellationToken: cancellationToken));
            foreach (var row in rows)
            {
                var (stored, hash) = row.ToStored();
                // An event whose content no longer matches its hash is never sealed: the block would vouch for it.
                if (!stored.ComputeHash().AsSpan().SequenceEqual(hash))
                {
                    if (Interlocked.Exchange(ref refusedAt, stored.Sequence) != stored.Sequence) LogTampered(logger, stored.Sequence);
                    break;
                }
                events.Add((stored, hash));
            }
            if (events.Count == 0) return 0;

            var block = AuditBlock.Seal(previous, [.. events.Select(e => (e.Event.Sequence, e.Event.Txid, e.Hash))], PostgresTime.Truncate(time.GetUtcNow().UtcDateTime));
            await block.InsertAsync(tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return events.Count;
        }
        finally
        {
            await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_advisory_unlock(@key)", new { key = SealLockKey }));
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit event {Sequence} does not match its hash: it and the events after it are not sealed until an operator looks (GET /v1/audit/verify)")]
    private static partial void LogTampered(ILogger logger, long sequence);
}

/// <summary>Seals continuously, on every instance (one at a time seals).</summary>
internal sealed class AuditSealerWorker(AuditSealer sealer, IOptions<AuditOptions> options, ILogger<AuditSealerWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var loop = new WorkerLoop(logger, "Audit sealer");
        return loop.RunAsync(async token =>
            {
                while (await BackgroundTelemetry.UntracedAsync(() => sealer.SealAsync(o.MaxEventsPerBlock, token)) == o.MaxEventsPerBlock) { }
            },
            loop.Every(TimeSpan.FromMilliseconds(o.SealIntervalMs)), stoppingToken);
    }
}
