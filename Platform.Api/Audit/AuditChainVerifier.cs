using System.Data.Common;
using System.Globalization;
using Dapper;
using Npgsql;

namespace Platform.Api.Audit;

/// <summary>
/// The verdict on the audit spine: intact or where it breaks and why; how much was checked; and the unsealed tail
/// (events committed after the last block, checked against their own hashes only) with the age of its oldest event.
/// </summary>
public sealed record AuditChainReport(
    bool Intact, long EventsChecked, long? FirstBrokenSequence, string? Problem,
    long BlocksChecked = 0, long UnsealedEvents = 0, double? OldestUnsealedSeconds = null);

/// <summary>
/// Walks every sealed block in order beside the events in seal order, and recomputes everything: each event's hash
/// from its content, each block's count, Merkle root and hash, and the link to the block before. An edited event is
/// named; a deleted, inserted or renumbered one breaks its block's count or root; a rewritten block breaks the link.
/// </summary>
internal sealed class AuditChainVerifier(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<AuditChainReport> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Repeatable read: one consistent snapshot of blocks and events, even while appends and sealing continue.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var blocks = await AuditBlock.AllAsync(transaction, cancellationToken);

        // Streamed: the whole trail is walked, never held in memory at once.
        await using var rows = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"select {StoredAuditEvent.SelectColumns} from audit.events order by txid, sequence", transaction: transaction, cancellationToken: cancellationToken));
        var parse = rows.GetRowParser<AuditEventRow>();
        var previousHash = AuditHash.Genesis;
        long checkedEvents = 0;
        var pending = await NextAsync(rows, parse, cancellationToken);
        for (var index = 0; index < blocks.Count; index++)
        {
            var block = blocks[index];
            if (block.BlockNumber != index + 1)
                return Broken(checkedEvents, index, block.FirstSequence, $"block {index + 1} is missing");
            if (!block.PreviousHash.AsSpan().SequenceEqual(previousHash))
                return Broken(checkedEvents, block.BlockNumber - 1, block.FirstSequence, $"block {block.BlockNumber} does not link to the hash of the block before it");
            if (!block.ComputeHash().AsSpan().SequenceEqual(block.Hash))
                return Broken(checkedEvents, block.BlockNumber - 1, block.FirstSequence, $"block {block.BlockNumber} does not match its hash");

            var leaves = new List<byte[]>(block.EventCount);
            while (pending is { } row && !After(row.Event, block.LastTxid, block.LastSequence))
            {
                if (!row.Event.ComputeHash().AsSpan().SequenceEqual(row.Hash))
                    return Broken(checkedEvents, block.BlockNumber - 1, row.Event.Sequence, $"event {row.Event.Sequence} does not match its hash");
                if (leaves.Count == 0 && (row.Event.Txid != block.FirstTxid || row.Event.Sequence != block.FirstSequence))
                    return Broken(checkedEvents, block.BlockNumber - 1, row.Event.Sequence, $"block {block.BlockNumber} should start at event {block.FirstSequence}, not {row.Event.Sequence}");
                leaves.Add(AuditHash.Leaf(row.Event.Sequence, row.Hash));
                checkedEvents++;
                pending = await NextAsync(rows, parse, cancellationToken);
            }
            if (leaves.Count != block.EventCount)
                return Broken(checkedEvents, block.BlockNumber - 1, block.FirstSequence,
                    $"block {block.BlockNumber} was sealed with {block.EventCount} events and now holds {leaves.Count}: events were removed or added");
            if (!AuditHash.MerkleRoot(leaves).AsSpan().SequenceEqual(block.MerkleRoot))
                return Broken(checkedEvents, block.BlockNumber - 1, block.FirstSequence, $"the events of block {block.BlockNumber} no longer match its Merkle root");
            previousHash = block.Hash;
        }

        // The unsealed tail: committed after the last block; each checked against its own hash.
        long unsealed = 0;
        DateTime? oldest = null;
        while (pending is { } row)
        {
            if (!row.Event.ComputeHash().AsSpan().SequenceEqual(row.Hash))
                return Broken(checkedEvents, blocks.Count, row.Event.Sequence, $"event {row.Event.Sequence} (not sealed yet) does not match its hash");
            unsealed++;
            checkedEvents++;
            oldest = oldest is { } o && o < row.Event.OccurredAtUtc ? o : row.Event.OccurredAtUtc;
            pending = await NextAsync(rows, parse, cancellationToken);
        }
        return new AuditChainReport(true, checkedEvents, null, null, blocks.Count, unsealed,
            oldest is { } at ? Math.Max(0, (time.GetUtcNow().UtcDateTime - at).TotalSeconds) : null);
    }

    private static async Task<(StoredAuditEvent Event, byte[] Hash)?> NextAsync(DbDataReader rows, Func<DbDataReader, AuditEventRow> parse,
        CancellationToken cancellationToken) =>
        await rows.ReadAsync(cancellationToken) ? parse(rows).ToStored() : null;

    /// <summary>Whether an event comes after (txid, sequence) in seal order.</summary>
    private static bool After(StoredAuditEvent e, string txid, long sequence)
    {
        var (mine, theirs) = (ulong.Parse(e.Txid, CultureInfo.InvariantCulture), ulong.Parse(txid, CultureInfo.InvariantCulture));
        return mine > theirs || (mine == theirs && e.Sequence > sequence);
    }

    private static AuditChainReport Broken(long checkedCount, long blocksChecked, long sequence, string problem) =>
        new(false, checkedCount, sequence, $"Audit spine broken at event {sequence}: {problem}.", blocksChecked);
}
