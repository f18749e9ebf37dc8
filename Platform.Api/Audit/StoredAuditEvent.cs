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
    /// The columns an <see cref="AuditEventRow"/> is read from (by name). The transaction id is read as text under
    /// another name: an output column called <c>txid</c> would make <c>ORDER BY txid</c> sort text ("1005" before
    /// "997") instead of transaction ids.
    /// </summary>
    public const string SelectColumns = """
        sequence, event_id, occurred_at, actor_type, actor_id, event_type, outcome,
        origin_ip, origin_service, resource_type, resource_id, details::text, previous_hash, hash, hash_version, txid::text AS txid_text
        """;

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

/// <summary>
/// A row of <see cref="StoredAuditEvent.SelectColumns"/>, mapped by column name; <see cref="BlockNumber"/> only where a
/// query adds that column (listing), otherwise null.
/// </summary>
internal sealed record AuditEventRow
{
    public long Sequence { get; init; }
    public Guid EventId { get; init; }
    public DateTime OccurredAt { get; init; }
    public string ActorType { get; init; } = "";
    public string ActorId { get; init; } = "";
    public string EventType { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string? OriginIp { get; init; }
    public string? OriginService { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }
    public string Details { get; init; } = "";
    public byte[] PreviousHash { get; init; } = [];
    public byte[] Hash { get; init; } = [];
    public short HashVersion { get; init; }
    public string TxidText { get; init; } = "";
    public long? BlockNumber { get; init; }

    /// <summary>The hashed values exactly as stored, and the hash stored beside them.</summary>
    public (StoredAuditEvent Event, byte[] StoredHash) ToStored() => (
        new StoredAuditEvent(Sequence, EventId, OccurredAt, ActorType, ActorId, EventType, Outcome, OriginIp, OriginService,
            ResourceType, ResourceId, Details, PreviousHash, HashVersion, TxidText),
        Hash);
}
