using System.Data;
using Dapper;
using Platform.Data;

namespace Platform.Api.Audit;

/// <summary>
/// An audit event with its hash computed, ready to be inserted by a statement of the caller's own: a business change
/// and its event then reach PostgreSQL in one round trip (<see cref="InsertCte"/>), where <see cref="IAuditTrail.AppendAsync(AuditEntry, Npgsql.NpgsqlTransaction, CancellationToken)"/>
/// costs one of its own.
/// </summary>
public sealed class PreparedAuditEvent
{
    private const string Columns = "event_id, occurred_at, actor_type, actor_id, event_type, outcome, origin_ip, origin_service, resource_type, resource_id, details, previous_hash, hash";
    private const string Values = "@audit_event_id, @audit_occurred_at, @audit_actor_type, @audit_actor_id, @audit_event_type, @audit_outcome, @audit_origin_ip, @audit_origin_service, @audit_resource_type, @audit_resource_id, @audit_details, @audit_previous_hash, @audit_hash";

    /// <summary>The statement that appends one event on its own, returning its sequence.</summary>
    internal const string InsertStatement = $"insert into audit.events ({Columns}) values ({Values}) returning sequence";

    private readonly StoredAuditEvent stored;
    private readonly byte[] hash;

    internal PreparedAuditEvent(StoredAuditEvent stored, byte[] hash)
    {
        this.stored = stored;
        this.hash = hash;
    }

    /// <summary>
    /// A common-table expression <c>audited</c> that appends the event when <paramref name="condition"/> holds (e.g. only
    /// when the statement's claim of an idempotency key succeeded), with the parameters of <see cref="AddTo"/>.
    /// </summary>
    public static string InsertCte(string condition) => $"""
        audited as (
            insert into audit.events ({Columns})
            select {Values}
            where {condition}
            returning sequence)
        """;

    /// <summary>Typed even when null: in an <c>insert … select</c> PostgreSQL cannot infer a parameter's type from the column.</summary>
    public void AddTo(DynamicParameters parameters)
    {
        parameters.Add("audit_event_id", stored.EventId);
        // As a UTC instant: the column is timestamptz; the hash covers the same microsecond value.
        parameters.Add("audit_occurred_at", new DateTimeOffset(stored.OccurredAtUtc, TimeSpan.Zero));
        parameters.Add("audit_actor_type", stored.ActorType, DbType.String);
        parameters.Add("audit_actor_id", stored.ActorId, DbType.String);
        parameters.Add("audit_event_type", stored.EventType, DbType.String);
        parameters.Add("audit_outcome", stored.Outcome, DbType.String);
        parameters.Add("audit_origin_ip", stored.OriginIp, DbType.String);
        parameters.Add("audit_origin_service", stored.OriginService, DbType.String);
        parameters.Add("audit_resource_type", stored.ResourceType, DbType.String);
        parameters.Add("audit_resource_id", stored.ResourceId, DbType.String);
        parameters.Add("audit_details", JsonParameter.Json(stored.Details));
        parameters.Add("audit_previous_hash", stored.PreviousHash);
        parameters.Add("audit_hash", hash);
    }

    /// <summary>The event as recorded, once the statement that inserted it returned its sequence.</summary>
    internal RecordedAuditEvent Recorded(long sequence) => (stored with { Sequence = sequence }).ToRecorded(hash);
}
