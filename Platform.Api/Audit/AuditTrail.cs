using Platform.Api.Data;
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

        var stored = new StoredAuditEvent(
            previousSequence + 1,
            Guid.CreateVersion7(),
            PostgresTime.Truncate(timeProvider.GetUtcNow().UtcDateTime),
            entry.Actor.Type.ToString().ToLowerInvariant(),
            entry.Actor.Id,
            entry.EventType,
            entry.Outcome.ToString().ToLowerInvariant(),
            entry.Origin?.IpAddress,
            entry.Origin?.Service,
            entry.Resource?.Type,
            entry.Resource?.Id,
            entry.Details is { } element ? JsonSerializer.Serialize(element) : "{}",
            previousHash);
        var hash = stored.ComputeHash();

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO audit.events (sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome,
                                      origin_ip, origin_service, resource_type, resource_id, details, previous_hash, hash)
            VALUES (@sequence, @event_id, @occurred_at, @actor_type, @actor_id, @event_type, @outcome,
                    @origin_ip, @origin_service, @resource_type, @resource_id, @details, @previous_hash, @hash)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("sequence", stored.Sequence);
            insert.Parameters.AddWithValue("event_id", stored.EventId);
            insert.Parameters.AddWithValue("occurred_at", stored.OccurredAtUtc);
            insert.Parameters.AddWithValue("actor_type", stored.ActorType);
            insert.Parameters.AddWithValue("actor_id", stored.ActorId);
            insert.Parameters.AddWithValue("event_type", stored.EventType);
            insert.Parameters.AddWithValue("outcome", stored.Outcome);
            insert.Parameters.AddWithValue("origin_ip", (object?)stored.OriginIp ?? DBNull.Value);
            insert.Parameters.AddWithValue("origin_service", (object?)stored.OriginService ?? DBNull.Value);
            insert.Parameters.AddWithValue("resource_type", (object?)stored.ResourceType ?? DBNull.Value);
            insert.Parameters.AddWithValue("resource_id", (object?)stored.ResourceId ?? DBNull.Value);
            insert.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Json) { Value = stored.Details });
            insert.Parameters.AddWithValue("previous_hash", previousHash);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return stored.ToRecorded(hash);
    }
}
