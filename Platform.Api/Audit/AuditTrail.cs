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
/// Appends events with their own hash, inside the caller's transaction and without any lock: appends from every
/// request run side by side. <see cref="AuditSealer"/> chains them into blocks once they have committed.
/// </summary>
internal sealed class AuditTrail(NpgsqlDataSource dataSource, TimeProvider timeProvider) : IAuditTrail
{
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
        var stored = new StoredAuditEvent(
            0,
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
            AuditHash.Genesis);
        var hash = stored.ComputeHash();

        await using var insert = new NpgsqlCommand("""
            INSERT INTO audit.events (event_id, occurred_at, actor_type, actor_id, event_type, outcome,
                                      origin_ip, origin_service, resource_type, resource_id, details, previous_hash, hash)
            VALUES (@event_id, @occurred_at, @actor_type, @actor_id, @event_type, @outcome,
                    @origin_ip, @origin_service, @resource_type, @resource_id, @details, @previous_hash, @hash)
            RETURNING sequence
            """, connection, transaction);
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
        insert.Parameters.AddWithValue("previous_hash", stored.PreviousHash);
        insert.Parameters.AddWithValue("hash", hash);
        var sequence = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        return (stored with { Sequence = sequence }).ToRecorded(hash);
    }
}
