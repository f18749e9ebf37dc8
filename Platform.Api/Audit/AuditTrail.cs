using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Platform.Api.Audit;

/// <summary>The one way features write to the audit spine.</summary>
public interface IAuditTrail
{
    /// <summary>Appends in a transaction of its own.</summary>
    Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends inside the caller's transaction, so that a business change and its audit event commit or roll back together.
    /// </summary>
    Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, NpgsqlTransaction transaction, CancellationToken cancellationToken = default);
}

/// <summary>
/// Appends hash-chained events. Appends are serialized by a transaction-scoped advisory lock, so two writers can
/// never both read the same chain head and fork the chain; the lock is released when the surrounding transaction ends.
/// </summary>
internal sealed class AuditTrail(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IAuditTrail
{
    // Spells "AUDIT" in ASCII; distinct from the migration lock.
    internal const long ChainLockKey = 0x4155444954;
    private static readonly ActivitySource ActivitySource = new("Platform.Api.Audit");

    public async Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var recorded = await AppendAsync(entry, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }

    public async Task<RecordedAuditEvent> AppendAsync(AuditEntry entry, NpgsqlTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.EventType);
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.Actor.Id);

        using var activity = ActivitySource.StartActivity("audit append");
        activity?.SetTag("audit.event_type", entry.EventType);

        var connection = transaction.Connection ?? throw new InvalidOperationException("The transaction has no connection.");

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("key", ChainLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        long previousSequence = 0;
        var previousHash = AuditHash.Genesis;
        await using (var headCommand = new NpgsqlCommand(
            "SELECT sequence, hash FROM audit.events ORDER BY sequence DESC LIMIT 1", connection, transaction))
        await using (var reader = await headCommand.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                previousSequence = reader.GetInt64(0);
                previousHash = reader.GetFieldValue<byte[]>(1);
            }
        }

        var sequence = previousSequence + 1;
        var eventId = Guid.CreateVersion7();
        var occurredAt = TruncateToMicroseconds(timeProvider.GetUtcNow().UtcDateTime);
        var actorType = entry.Actor.Type.ToString().ToLowerInvariant();
        var outcome = entry.Outcome.ToString().ToLowerInvariant();
        var details = entry.Details is { } element ? JsonSerializer.Serialize(element) : "{}";
        var hash = AuditHash.Compute(
            sequence, eventId, occurredAt, actorType, entry.Actor.Id, entry.EventType, outcome,
            entry.Origin?.IpAddress, entry.Origin?.Service, entry.Resource?.Type, entry.Resource?.Id, details, previousHash);

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO audit.events (sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome,
                                      origin_ip, origin_service, resource_type, resource_id, details, previous_hash, hash)
            VALUES (@sequence, @event_id, @occurred_at, @actor_type, @actor_id, @event_type, @outcome,
                    @origin_ip, @origin_service, @resource_type, @resource_id, @details, @previous_hash, @hash)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("sequence", sequence);
            insert.Parameters.AddWithValue("event_id", eventId);
            insert.Parameters.AddWithValue("occurred_at", occurredAt);
            insert.Parameters.AddWithValue("actor_type", actorType);
            insert.Parameters.AddWithValue("actor_id", entry.Actor.Id);
            insert.Parameters.AddWithValue("event_type", entry.EventType);
            insert.Parameters.AddWithValue("outcome", outcome);
            insert.Parameters.AddWithValue("origin_ip", (object?)entry.Origin?.IpAddress ?? DBNull.Value);
            insert.Parameters.AddWithValue("origin_service", (object?)entry.Origin?.Service ?? DBNull.Value);
            insert.Parameters.AddWithValue("resource_type", (object?)entry.Resource?.Type ?? DBNull.Value);
            insert.Parameters.AddWithValue("resource_id", (object?)entry.Resource?.Id ?? DBNull.Value);
            insert.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Json) { Value = details });
            insert.Parameters.AddWithValue("previous_hash", previousHash);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return new RecordedAuditEvent(
            sequence, eventId, new DateTimeOffset(occurredAt), entry.EventType, actorType, entry.Actor.Id, outcome,
            entry.Origin?.IpAddress, entry.Origin?.Service, entry.Resource?.Type, entry.Resource?.Id, details,
            Convert.ToHexStringLower(previousHash), Convert.ToHexStringLower(hash));
    }

    private static DateTime TruncateToMicroseconds(DateTime value) =>
        new(value.Ticks - value.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);
}
