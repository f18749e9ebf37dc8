using Dapper;
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditEventRow>(new CommandDefinition($"""
            SELECT {StoredAuditEvent.SelectColumns},
                   (SELECT b.block_number FROM audit.blocks b
                    WHERE (txid, sequence) BETWEEN (b.first_txid, b.first_sequence) AND (b.last_txid, b.last_sequence) LIMIT 1) AS block_number
            FROM audit.events
            WHERE sequence > @after
              AND (@event_type::text IS NULL OR event_type = @event_type)
              AND (@resource_type::text IS NULL OR resource_type = @resource_type)
              AND (@resource_id::text IS NULL OR resource_id = @resource_id)
            ORDER BY sequence
            LIMIT @limit
            """, new
            {
                after = query.AfterSequence,
                event_type = query.EventType,
                resource_type = query.ResourceType,
                resource_id = query.ResourceId,
                // One more than asked for tells whether another page exists without a second query.
                limit = query.Limit + 1,
            }, cancellationToken: cancellationToken));

        var events = new List<RecordedAuditEvent>(query.Limit + 1);
        foreach (var row in rows)
        {
            var (stored, hash) = row.ToStored();
            events.Add(stored.ToRecorded(hash, row.BlockNumber));
        }

        if (events.Count <= query.Limit)
        {
            return new AuditEventPage(events, null);
        }
        events.RemoveAt(events.Count - 1);
        return new AuditEventPage(events, events[^1].Sequence);
    }
}
