using Npgsql;
using Platform.Api.Data;

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
    public const string SelectColumns = """
        block_number, first_txid::text, first_sequence, last_txid::text, last_sequence, event_count, merkle_root, previous_hash, hash, sealed_at
        """;

    public static AuditBlock Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt32(5),
        reader.GetFieldValue<byte[]>(6), reader.GetFieldValue<byte[]>(7), reader.GetFieldValue<byte[]>(8), reader.GetFieldValue<DateTime>(9));

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

    public static async Task<AuditBlock?> LastAsync(NpgsqlTransaction tx, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(tx.Connection!, tx, $"select {SelectColumns} from audit.blocks order by block_number desc limit 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public Task InsertAsync(NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(tx.Connection!, tx, """
            insert into audit.blocks (block_number, first_txid, first_sequence, last_txid, last_sequence, event_count, merkle_root, previous_hash, hash, sealed_at)
            values ($1, $2::xid8, $3, $4::xid8, $5, $6, $7, $8, $9, $10)
            """, cancellationToken, BlockNumber, FirstTxid, FirstSequence, LastTxid, LastSequence, EventCount, MerkleRoot, PreviousHash, Hash, SealedAtUtc);
}
