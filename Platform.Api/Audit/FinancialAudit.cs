using System.Text.Json;

namespace Platform.Api.Audit;

/// <summary>Builds the audit entries money features append, so they all name actors, origins and resources alike.</summary>
internal static class FinancialAudit
{
    /// <summary>Who acts for an API request: the signed-in user (customer or operator).</summary>
    public static AuditActor RequestActor(HttpContext http) =>
        http.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value is { } userId ? AuditActor.User(userId) : AuditActor.Service("api-client");

    public static AuditOrigin RequestOrigin(HttpContext http) => new(http.Connection.RemoteIpAddress?.ToString(), null);

    public static AuditEntry Entry(string eventType, AuditActor actor, AuditOrigin? origin, string resourceType, Guid resourceId,
        IReadOnlyDictionary<string, object?> details, AuditOutcome outcome = AuditOutcome.Success) =>
        new(eventType, actor, outcome, origin, new AuditResource(resourceType, resourceId.ToString()), JsonSerializer.SerializeToElement(details));

    public static readonly AuditActor Worker = AuditActor.System("api-worker");
    public static readonly AuditActor ProcessorWebhook = AuditActor.Service("processor");
}
