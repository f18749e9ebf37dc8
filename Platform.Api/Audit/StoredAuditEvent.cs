using Npgsql;

namespace Platform.Api.Audit;

/// <summary>
/// One row of audit.events with the exact values that are hashed: the one place that knows the column list, how a
/// row is read and what its hash covers, shared by appending, listing, sealing and verifying.
/// </summary>
internal sealed record StoredAuditEvent(
    long Sequence,
    Guid EventId,
    DateTime OccurredAtUtc,
    string ActorType,
    string ActorId,
    string EventType,
    string Outcome,
    string? OriginIp,
    string? OriginService,
    string? ResourceType,
    string? ResourceId,
    string Details,
    byte[] PreviousHash,
    short HashVersion = StoredAuditEvent.CurrentHashVersion,
    string Txid = "")
{
    public const short CurrentHashVersion = 2;

    /// <summary>
    /// The columns <see cref="Read"/> expects, in its order; the stored hash is the fourteenth. The transaction id is
    /// read as text under another name: an output column called <c>txid</c> would make <c>ORDER BY txid</c> sort text
    /// ("1005" before "997") instead of transaction ids.
    /// </summary>
    public const string SelectColumns = """
        sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome,
        origin_ip, origin_service, resource_type, resource_id, details::text, previous_hash, hash, hash_version, txid::text AS txid_text
        """;

    public static (StoredAuditEvent Event, byte[] StoredHash) Read(NpgsqlDataReader reader) => (
        new StoredAuditEvent(
            reader.GetInt64(0),
            reader.GetGuid(1),
            reader.GetFieldValue<DateTime>(2),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.IsDBNull(9) ? null : reader.GetString(9),
            reader.IsDBNull(10) ? null : reader.GetString(10),
            reader.GetString(11),
            reader.GetFieldValue<byte[]>(12),
            reader.GetInt16(14),
            reader.GetString(15)),
        reader.GetFieldValue<byte[]>(13));

    /// <summary>The event's own hash, recomputed from what is stored, by the version it was written with.</summary>
    public byte[] ComputeHash() => HashVersion switch
    {
        1 => AuditHash.Compute(Sequence, EventId, OccurredAtUtc, ActorType, ActorId, EventType, Outcome,
            OriginIp, OriginService, ResourceType, ResourceId, Details, PreviousHash),
        _ => AuditHash.ComputeContent(EventId, OccurredAtUtc, ActorType, ActorId, EventType, Outcome,
            OriginIp, OriginService, ResourceType, ResourceId, Details),
    };

    public RecordedAuditEvent ToRecorded(byte[] hash, long? block = null) => new(
        Sequence, EventId, new DateTimeOffset(OccurredAtUtc, TimeSpan.Zero), EventType, ActorType, ActorId, Outcome,
        OriginIp, OriginService, ResourceType, ResourceId, System.Text.Json.JsonDocument.Parse(Details).RootElement.Clone(),
        Convert.ToHexStringLower(hash), block);
}
