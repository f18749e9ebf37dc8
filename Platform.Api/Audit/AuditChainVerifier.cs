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
        await using var command = new NpgsqlCommand(
            $"SELECT {StoredAuditEvent.SelectColumns} FROM audit.events ORDER BY sequence", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);

        long expectedSequence = 1;
        var expectedPreviousHash = AuditHash.Genesis;
        long checkedCount = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var (stored, storedHash) = StoredAuditEvent.Read(reader);
            var sequence = stored.Sequence;

            if (sequence != expectedSequence)
            {
                return Broken(checkedCount, expectedSequence, $"event {expectedSequence} is missing (next stored event is {sequence})");
            }
            if (!stored.PreviousHash.AsSpan().SequenceEqual(expectedPreviousHash))
            {
                return Broken(checkedCount, sequence, "its previous-hash does not match the hash of the event before it");
            }

            var recomputed = stored.ComputeHash();
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
