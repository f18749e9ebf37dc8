using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Api.Audit;

namespace Platform.Api.Reconciliation;

internal static class ReconciliationApi
{
    public static RouteHandlerBuilder MapReconciliationApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/v1/reconciliation/processor", ReconcileAsync).WithTags("Reconciliation").RequireAuthorization(Identity.PlatformPolicies.Operator);

    /// <summary>Compares the platform with the processor for authorizations created in [from, to) (default: the last 24 hours).</summary>
    public static async Task<Results<Ok<ReconciliationReport>, ValidationProblem>> ReconcileAsync(
        DateTimeOffset? from, DateTimeOffset? to, HttpContext http, ProcessorReconciler reconciler, IAuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-1);
        if (start >= end || end - start > TimeSpan.FromDays(31))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must be before to, at most 31 days apart."] });
        var report = await reconciler.ReconcileAsync(start, end, cancellationToken);
        await audit.AppendAsync(new AuditEntry("reconciliation.processor", FinancialAudit.RequestActor(http), report.Matched ? AuditOutcome.Success : AuditOutcome.Failure,
            FinancialAudit.RequestOrigin(http), null, System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["from"] = start, ["to"] = end, ["authorizations"] = report.PlatformAuthorizations, ["differences"] = report.Differences.Count, ["inFlight"] = report.InFlight,
            })), cancellationToken);
        return TypedResults.Ok(report);
    }
}
