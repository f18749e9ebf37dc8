using Npgsql;

namespace Platform.Benchmarks.Authorize;

/// <summary>
/// How long audit events written during a run waited in the unsealed tail: for each event, the time from when it was
/// recorded to when the block that chains it was sealed. Read from the database after the run, so the measurement adds
/// no load while it runs. Events still unsealed when it looks are counted apart, with the age of the oldest.
/// </summary>
internal static class SealLag
{
    public sealed record Result(LatencyStats? Sealed, long Unsealed, double? OldestUnsealedMs);

    // The sealer runs every 200 ms; an event not sealed this long after the run is a finding, not a lag to wait out.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<Result> MeasureAsync(string connectionString, DateTimeOffset from, DateTimeOffset to)
    {
        await Task.Delay(Settle);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // An event belongs to the block whose bounds enclose its (txid, sequence), the seal order. Only blocks sealed
        // since the run began can hold the run's events; an event in none is still unsealed.
        await using var command = new NpgsqlCommand("""
            select extract(epoch from b.sealed_at - e.occurred_at) * 1000 as sealed_after, extract(epoch from now() - e.occurred_at) * 1000 as age
            from audit.events e
            left join lateral (
                select b.sealed_at from audit.blocks b
                where b.sealed_at >= $1
                  and (e.txid, e.sequence) >= (b.first_txid, b.first_sequence) and (e.txid, e.sequence) <= (b.last_txid, b.last_sequence)
                limit 1) b on true
            where e.occurred_at >= $1 and e.occurred_at < $2
            """, connection);
        command.Parameters.AddWithValue(from.UtcDateTime);
        command.Parameters.AddWithValue(to.UtcDateTime);
        var sealedLags = new List<double>();
        long unsealed = 0;
        double? oldest = null;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (!reader.IsDBNull(0)) sealedLags.Add((double)reader.GetDecimal(0));
                else
                {
                    unsealed++;
                    oldest = Math.Max(oldest ?? 0, (double)reader.GetDecimal(1));
                }
            }
        }
        return new Result(sealedLags.Count == 0 ? null : LatencyStats.From(sealedLags), unsealed, oldest);
    }
}
