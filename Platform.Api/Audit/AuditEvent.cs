using System.Text.Json;

namespace Platform.Api.Audit;

public enum AuditActorType { User, Service, System }

public enum AuditOutcome { Success, Failure }

/// <summary>Who did it: a signed-in user, another service, or the platform itself (a worker, a migration).</summary>
public sealed record AuditActor(AuditActorType Type, string Id)
{
    public static AuditActor User(string userId) => new(AuditActorType.User, userId);
    public static AuditActor Service(string serviceName) => new(AuditActorType.Service, serviceName);
    public static AuditActor System(string component) => new(AuditActorType.System, component);
}

/// <summary>Where the request came from: a client IP, a calling service, or both.</summary>
public sealed record AuditOrigin(string? IpAddress, string? Service);

/// <summary>The resource an event touched, e.g. ("authorization", "auth_123").</summary>
public sealed record AuditResource(string Type, string Id);

/// <summary>
/// What a feature asks the audit spine to record. <paramref name="Details"/> must not carry a full card number,
/// a full SSN, a date of birth or a password: the spine is read by operators and never redacted afterwards.
/// </summary>
public sealed record AuditEntry(
    string EventType,
    AuditActor Actor,
    AuditOutcome Outcome,
    AuditOrigin? Origin = null,
    AuditResource? Resource = null,
    JsonElement? Details = null);

/// <summary>
/// An event as stored: its own hash and, once sealed, the block that chains it (null while it is in the unsealed tail,
/// under a second). <see cref="Details"/> is the JSON object itself (its stored text is what is hashed; see
/// <see cref="StoredAuditEvent"/>).
/// </summary>
public sealed record RecordedAuditEvent(
    long Sequence,
    Guid EventId,
    DateTimeOffset OccurredAt,
    string EventType,
    string ActorType,
    string ActorId,
    string Outcome,
    string? OriginIp,
    string? OriginService,
    string? ResourceType,
    string? ResourceId,
    JsonElement Details,
    string Hash,
    long? Block);
