using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.Api.Audit;

internal static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/audit").WithTags("Audit");
        group.MapGet("/verify", VerifyChainAsync)
            .WithName("VerifyAuditChain")
            .WithSummary("Recomputes the audit hash chain and reports whether it is intact and, if not, where it breaks.");
        return group;
    }

    public static async Task<Ok<AuditChainReport>> VerifyChainAsync(AuditChainVerifier verifier, CancellationToken cancellationToken) =>
        TypedResults.Ok(await verifier.VerifyAsync(cancellationToken));
}

internal static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IAuditTrail, AuditTrail>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddOptions<InternalApiOptions>().BindConfiguration(InternalApiOptions.SectionName);
        return services;
    }
}
