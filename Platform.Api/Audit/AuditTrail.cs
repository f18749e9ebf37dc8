using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Api.Data;
using Platform.Data;

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

        var sequence = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO audit.events (event_id, occurred_at, actor_type, actor_id, event_type, outcome,
                                      origin_ip, origin_service, resource_type, resource_id, details, previous_hash, hash)
            VALUES (@event_id, @occurred_at, @actor_type, @actor_id, @event_type, @outcome,
                    @origin_ip, @origin_service, @resource_type, @resource_id, @details, @previous_hash, @hash)
            RETURNING sequence
            """, new
            {
                event_id = stored.EventId,
                // As a UTC instant: the column is timestamptz; the hash covers the same microsecond value.
                occurred_at = new DateTimeOffset(stored.OccurredAtUtc, TimeSpan.Zero),
                actor_type = stored.ActorType,
                actor_id = stored.ActorId,
                event_type = stored.EventType,
                outcome = stored.Outcome,
                origin_ip = stored.OriginIp,
                origin_service = stored.OriginService,
                resource_type = stored.ResourceType,
                resource_id = stored.ResourceId,
                details = JsonParameter.Json(stored.Details),
                previous_hash = stored.PreviousHash,
                hash,
            }, transaction, cancellationToken: cancellationToken));
        return (stored with { Sequence = sequence }).ToRecorded(hash);
    }
}
