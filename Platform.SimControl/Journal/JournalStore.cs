using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.SimControl.Settings;
using StackExchange.Redis;

namespace Platform.SimControl.Journal;

/// <summary>What to look for in the journal; null fields match everything.</summary>
public sealed record JournalFilter(string? Simulator, string? Operation, string? Outcome)
{
    public static readonly JournalFilter All = new(null, null, null);

    public bool Matches(JournalEntry e) =>
        (Simulator is null || string.Equals(e.Simulator, Simulator, StringComparison.OrdinalIgnoreCase))
        && (Operation is null || string.Equals(e.Operation, Operation, StringComparison.OrdinalIgnoreCase))
        && (Outcome is null || string.Equals(e.Outcome, Outcome, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Reads the journal list (newest first) in chunks, so a filtered read of the newest few entries touches only as much
/// of the list as it needs; the list is shared by every instance.
/// </summary>
internal sealed class JournalStore(IConnectionMultiplexer redis, IOptions<JournalOptions> options)
{
    private const int Chunk = 500;

    public int Retention => options.Value.Retention;

    public async Task<JournalPage> ListAsync(JournalFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var entries = new List<JournalEntry>(limit);
        await foreach (var stored in ScanAsync(cancellationToken))
        {
            if (!filter.Matches(stored.Entry)) continue;
            entries.Add(stored.Entry);
            if (entries.Count == limit) break;
        }
        return new JournalPage(entries, await redis.GetDatabase().ListLengthAsync(SimRedisKeys.Journal), Retention);
    }

    public async Task<StoredJournalEntry?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await foreach (var stored in ScanAsync(cancellationToken))
        {
            if (stored.Entry.Id == id) return stored;
        }
        return null;
    }

    /// <summary>Every matching entry, oldest first, as JSON Lines (one entry per line).</summary>
    public async Task WriteJsonLinesAsync(JournalFilter filter, Stream output, CancellationToken cancellationToken)
    {
        var matching = new List<JournalEntry>();
        await foreach (var stored in ScanAsync(cancellationToken))
        {
            if (filter.Matches(stored.Entry)) matching.Add(stored.Entry);
        }
        var newline = "\n"u8.ToArray();
        for (var i = matching.Count - 1; i >= 0; i--)
        {
            await JsonSerializer.SerializeAsync(output, matching[i], JournalJsonContext.Default.JournalEntry, cancellationToken);
            await output.WriteAsync(newline, cancellationToken);
        }
    }

    public Task ClearAsync() => redis.GetDatabase().KeyDeleteAsync(SimRedisKeys.Journal);

    private async IAsyncEnumerable<StoredJournalEntry> ScanAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        // Entries pushed while scanning shift the list; an id seen twice is skipped so nothing is reported twice.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long start = 0; start < Retention; start += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var values = await db.ListRangeAsync(SimRedisKeys.Journal, start, Math.Min(start + Chunk, Retention) - 1);
            foreach (var value in values)
            {
                var stored = JsonSerializer.Deserialize((string)value!, JournalJsonContext.Default.StoredJournalEntry);
                if (stored is not null && seen.Add(stored.Entry.Id)) yield return stored;
            }
            if (values.Length < Chunk) yield break;
        }
    }
}
