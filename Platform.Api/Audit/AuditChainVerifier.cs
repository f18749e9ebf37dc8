using Npgsql;

namespace Platform.Api.Audit;

/// <summary>The verdict on the chain: intact, or the first event where it breaks and why.</summary>
public sealed record AuditChainReport(bool Intact, long EventsChecked, long? FirstBrokenSequence, string? Problem);

/// <summary>
/// Walks the chain in order and recomputes every hash. Any edited field, deleted row or re-ordered row shows up as
/// the first sequence whose stored hash, back-link or position disagrees with what was recomputed.
/// </summary>
internal sealed class AuditChainVerifier(NpgsqlDataSource dataSource)
{
    public async Task<AuditChainReport> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Repeatable read: one consistent snapshot of the chain, even while appends continue.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome,
                   origin_ip, origin_service, resource_type, resource_id, details::text, previous_hash, hash
            FROM audit.events ORDER BY sequence
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        long expectedSequence = 1;
        var expectedPreviousHash = AuditHash.Genesis;
        long checkedCount = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var sequence = reader.GetInt64(0);
            var previousHash = reader.GetFieldValue<byte[]>(12);
            var storedHash = reader.GetFieldValue<byte[]>(13);

            if (sequence != expectedSequence)
            {
                return Broken(checkedCount, expectedSequence, $"event {expectedSequence} is missing (next stored event is {sequence})");
            }
            if (!previousHash.AsSpan().SequenceEqual(expectedPreviousHash))
            {
                return Broken(checkedCount, sequence, "its previous-hash does not match the hash of the event before it");
            }

            var recomputed = AuditHash.Compute(
                sequence,
                reader.GetGuid(1),
                reader.GetFieldValue<DateTime>(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.GetString(11),
                previousHash);
            if (!recomputed.AsSpan().SequenceEqual(storedHash))
            {
                return Broken(checkedCount, sequence, "its content does not match its hash");
            }

            checkedCount++;
            expectedSequence = sequence + 1;
            expectedPreviousHash = storedHash;
        }

        return new AuditChainReport(true, checkedCount, null, null);
    }

    private static AuditChainReport Broken(long checkedCount, long sequence, string problem) =>
        new(false, checkedCount, sequence, $"Chain broken at event {sequence}: {problem}.");
}
