using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Api.Audit;

/// <summary>Shared secret that other platform services present when they write to the audit spine.</summary>
internal sealed class InternalApiOptions
{
    public const string SectionName = "InternalApi";
    public const string KeyHeader = "X-Internal-Api-Key";
    public const string Scheme = "internal-api-key";

    /// <summary>Set by the AppHost per run (InternalApi__Key); never in the repository. Empty disables the internal API.</summary>
    public string Key { get; set; } = "";
}

/// <summary>An audit event sent by another service (simcontrol's settings changes, for instance).</summary>
public sealed record ServiceAuditEventRequest(
    string EventType,
    string ActorType,
    string ActorId,
    string Outcome,
    string? OriginIp,
    string? OriginService,
    string? ResourceType,
    string? ResourceId,
    JsonElement? Details);

public sealed record ServiceAuditEventResponse(long Sequence, Guid EventId);

/// <summary>
/// Lets the other services append to the one audit spine this API owns, instead of each writing its own chain.
/// Not part of the public API: it answers only callers holding the per-run internal key.
/// </summary>
internal static class InternalAuditApi
{
    public static RouteGroupBuilder MapInternalAuditApi(this IEndpointRouteBuilder app)
    {
        // The key is checked by authorization, before the body is read: a caller without it learns nothing.
        var group = app.MapGroup("/internal/v1/audit").WithTags("Internal").ExcludeFromDescription().RequireApiKey(InternalApiOptions.Scheme);
        group.MapPost("/events", AppendAsync);
        return group;
    }

    public static async Task<Results<Created<ServiceAuditEventResponse>, ValidationProblem>> AppendAsync(
        ServiceAuditEventRequest request, IAuditTrail auditTrail, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.EventType)) errors["eventType"] = ["Required."];
        if (string.IsNullOrWhiteSpace(request.ActorId)) errors["actorId"] = ["Required."];
        if (!Enum.TryParse<AuditActorType>(request.ActorType, ignoreCase: true, out var actorType))
            errors["actorType"] = ["Must be user, service or system."];
        if (!Enum.TryParse<AuditOutcome>(request.Outcome, ignoreCase: true, out var outcome))
            errors["outcome"] = ["Must be success or failure."];
        if (request.Details is { ValueKind: not JsonValueKind.Object })
            errors["details"] = ["Must be a JSON object."];
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var recorded = await auditTrail.AppendAsync(new AuditEntry(
            request.EventType,
            new AuditActor(actorType, request.ActorId),
            outcome,
            new AuditOrigin(request.OriginIp, request.OriginService),
            request.ResourceType is null || request.ResourceId is null ? null : new AuditResource(request.ResourceType, request.ResourceId),
            request.Details), cancellationToken);

        return TypedResults.Created($"/v1/audit/events/{recorded.Sequence}", new ServiceAuditEventResponse(recorded.Sequence, recorded.EventId));
    }
}
