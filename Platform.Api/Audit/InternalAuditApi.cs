using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Platform.Api.Audit;

/// <summary>Shared secret that other platform services present when they write to the audit spine.</summary>
internal sealed class InternalApiOptions
{
    public const string SectionName = "InternalApi";
    public const string KeyHeader = "X-Internal-Api-Key";

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
        var group = app.MapGroup("/internal/v1/audit").WithTags("Internal").ExcludeFromDescription();
        group.MapPost("/events", AppendAsync);
        return group;
    }

    public static async Task<Results<Created<ServiceAuditEventResponse>, ValidationProblem, UnauthorizedHttpResult>> AppendAsync(
        ServiceAuditEventRequest request, HttpContext httpContext, IAuditTrail auditTrail,
        IOptions<InternalApiOptions> options, CancellationToken cancellationToken)
    {
        if (!HasValidKey(httpContext, options.Value.Key))
        {
            return TypedResults.Unauthorized();
        }

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

    private static bool HasValidKey(HttpContext httpContext, string expected)
    {
        if (string.IsNullOrEmpty(expected))
        {
            return false;
        }
        var presented = httpContext.Request.Headers[InternalApiOptions.KeyHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
    }
}
