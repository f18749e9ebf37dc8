using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Api.Audit;

internal static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit").RequireAuthorization(Platform.Api.Identity.PlatformPolicies.Operator);
        group.MapGet("/events", ReadEventsAsync)
            .WithName("ListAuditEvents")
            .WithSummary("Lists audit events in chain order, optionally filtered by event type or resource; page with afterSequence.");
        group.MapGet("/verify", VerifyChainAsync)
            .WithName("VerifyAuditChain")
            .WithSummary("Recomputes every event's hash and every sealed block (count, Merkle root, link to the block before) and reports whether the spine is intact, where it breaks, and the unsealed tail and its age.");
        return group;
    }

    public static async Task<Results<Ok<AuditEventPage>, ValidationProblem>> ReadEventsAsync(
        AuditEventReader reader,
        IAuditTrail audit,
        HttpContext http,
        CancellationToken cancellationToken,
        long afterSequence = 0,
        int limit = 100,
        string? eventType = null,
        string? resourceType = null,
        string? resourceId = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (afterSequence < 0) errors["afterSequence"] = ["Must be zero or more."];
        if (limit is < 1 or > AuditEventReader.MaxLimit) errors["limit"] = [$"Must be between 1 and {AuditEventReader.MaxLimit}."];
        if (resourceId is not null && resourceType is null) errors["resourceType"] = ["Required when resourceId is given."];
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await reader.ReadAsync(new AuditEventQuery(afterSequence, limit, eventType, resourceType, resourceId), cancellationToken);
        // Reading the trail is itself on the trail (PCI DSS 10.2.1.3): who read what, and how much they got.
        await audit.AppendAsync(FinancialAudit.Entry("audit.read", FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), "audit-trail", Guid.Empty,
            new Dictionary<string, object?>
            {
                ["afterSequence"] = afterSequence, ["limit"] = limit, ["eventType"] = eventType, ["resourceType"] = resourceType,
                ["resourceId"] = resourceId, ["returned"] = page.Events.Count,
            }), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Ok<AuditChainReport>> VerifyChainAsync(AuditChainVerifier verifier, IAuditTrail audit, HttpContext http, CancellationToken cancellationToken)
    {
        var report = await verifier.VerifyAsync(cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry("audit.verified", FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), "audit-trail", Guid.Empty,
            new Dictionary<string, object?> { ["intact"] = report.Intact }), cancellationToken);
        return TypedResults.Ok(report);
    }
}

internal static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IAuditTrail, AuditTrail>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AuditSealer>();
        services.AddHostedService<AuditSealerWorker>();
        services.AddSingleton<AuditEventReader>();
        services.AddOptions<InternalApiOptions>().BindConfiguration(InternalApiOptions.SectionName);
        services.AddAuthentication().AddApiKey(InternalApiOptions.Scheme);
        services.AddOptions<ApiKeyAuthenticationOptions>(InternalApiOptions.Scheme)
            .Configure<Microsoft.Extensions.Options.IOptions<InternalApiOptions>>((o, internalApi) =>
                (o.HeaderName, o.Key, o.ClientName) = (InternalApiOptions.KeyHeader, internalApi.Value.Key, "platform-service"));
        return services;
    }
}
