using Dapper;
using Npgsql;

namespace Platform.Api.Audit;

/// <summary>
/// One row of audit.blocks: the events from (first txid, first sequence) to (last txid, last sequence) in seal order,
/// how many, their Merkle root, and the hash that chains the block to the one before it. The one place that knows
/// the block columns and what a block's hash covers.
/// </summary>
internal sealed record AuditBlock(
    long BlockNumber, string FirstTxid, long FirstSequence, string LastTxid, long LastSequence, int EventCount,
    byte[] MerkleRoot, byte[] PreviousHash, byte[] Hash, DateTime SealedAtUtc)
{
    /// <summary>The columns a block is read from, named as the record's members (rows map by name).</summary>
    public const string SelectColumns = """
        block_number, first_txid::text, first_sequence, last_txid::text, last_sequence, event_count, merkle_root, previous_hash, hash,
        sealed_at AS sealed_at_utc
        """;

    /// <summary>The next block over <paramref name="events"/> (in seal order), chained to <paramref name="previous"/>.</summary>
    public static AuditBlock Seal(AuditBlock? previous, IReadOnlyList<(long Sequence, string Txid, byte[] Hash)> events, DateTime sealedAtUtc)
    {
        var number = (previous?.BlockNumber ?? 0) + 1;
        var root = AuditHash.MerkleRoot([.. events.Select(e => AuditHash.Leaf(e.Sequence, e.Hash))]);
        var previousHash = previous?.Hash ?? AuditHash.Genesis;
        var (first, last) = (events[0], events[^1]);
        return new AuditBlock(number, first.Txid, first.Sequence, last.Txid, last.Sequence, events.Count, root, previousHash,
            AuditHash.Block(number, first.Txid, first.Sequence, last.Txid, last.Sequence, events.Count, root, previousHash, sealedAtUtc), sealedAtUtc);
    }

    /// <summary>What this block's hash must be, recomputed from its other columns.</summary>
    public byte[] ComputeHash() =>
        AuditHash.Block(BlockNumber, FirstTxid, FirstSequence, LastTxid, LastSequence, EventCount, MerkleRoot, PreviousHash, SealedAtUtc);

    public static Task<AuditBlock?> LastAsync(NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        tx.Connection!.QuerySingleOrDefaultAsync<AuditBlock?>(new CommandDefinition(
            $"select {SelectColumns} from audit.blocks order by block_number desc limit 1", transaction: tx, cancellationToken: cancellationToken));

    /// <summary>Every block in chain order.</summary>
    public static async Task<IReadOnlyList<AuditBlock>> AllAsync(NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        [.. await tx.Connection!.QueryAsync<AuditBlock>(new CommandDefinition(
            $"select {SelectColumns} from audit.blocks order by block_number", transaction: tx, cancellationToken: cancellationToken))];

    public Task InsertAsync(NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into audit.blocks (block_number, first_txid, first_sequence, last_txid, last_sequence, event_count, merkle_root, previous_hash, hash, sealed_at)
            values (@BlockNumber, @FirstTxid::xid8, @FirstSequence, @LastTxid::xid8, @LastSequence, @EventCount, @MerkleRoot, @PreviousHash, @Hash, @SealedAt)
            """, new
            {
                BlockNumber, FirstTxid, FirstSequence, LastTxid, LastSequence, EventCount, MerkleRoot, PreviousHash, Hash,
                // As a UTC instant: the column is timestamptz.
                SealedAt = new DateTimeOffset(SealedAtUtc, TimeSpan.Zero),
            }, tx, cancellationToken: cancellationToken));
}
