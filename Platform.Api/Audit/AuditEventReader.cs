using Npgsql;

namespace Platform.Api.Audit;

/// <summary>Filters for reading the audit trail; every filter is optional.</summary>
public sealed record AuditEventQuery(long AfterSequence, int Limit, string? EventType, string? ResourceType, string? ResourceId);

/// <summary>A page of events in chain order; pass <see cref="NextAfterSequence"/> back to read on.</summary>
public sealed record AuditEventPage(IReadOnlyList<RecordedAuditEvent> Events, long? NextAfterSequence);

/// <summary>
/// Reads the trail in chain order with keyset paging (after a sequence number), which stays fast and stable
/// while events keep being appended, unlike offset paging.
/// </summary>
internal sealed class AuditEventReader(NpgsqlDataSource dataSource)
{
    public const int MaxLimit = 500;

    public async Task<AuditEventPage> ReadAsync(AuditEventQuery query, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {StoredAuditEvent.SelectColumns},
                   (SELECT b.block_number FROM audit.blocks b
                    WHERE (txid, sequence) BETWEEN (b.first_txid, b.first_sequence) AND (b.last_txid, b.last_sequence) LIMIT 1)
            FROM audit.events
            WHERE sequence > @after
              AND (@event_type::text IS NULL OR event_type = @event_type)
              AND (@resource_type::text IS NULL OR resource_type = @resource_type)
              AND (@resource_id::text IS NULL OR resource_id = @resource_id)
            ORDER BY sequence
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("after", query.AfterSequence);
        command.Parameters.AddWithValue("event_type", (object?)query.EventType ?? DBNull.Value);
        command.Parameters.AddWithValue("resource_type", (object?)query.ResourceType ?? DBNull.Value);
        command.Parameters.AddWithValue("resource_id", (object?)query.ResourceId ?? DBNull.Value);
        // One more than asked for tells whether another page exists without a second query.
        command.Parameters.AddWithValue("limit", query.Limit + 1);

        var events = new List<RecordedAuditEvent>(query.Limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (stored, hash) = StoredAuditEvent.Read(reader);
            events.Add(stored.ToRecorded(hash, reader.IsDBNull(16) ? null : reader.GetInt64(16)));
        }

        if (events.Count <= query.Limit)
        {
            return new AuditEventPage(events, null);
        }
        events.RemoveAt(events.Count - 1);
        return new AuditEventPage(events, events[^1].Sequence);
    }
}
