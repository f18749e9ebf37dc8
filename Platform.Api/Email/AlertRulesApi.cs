using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Api.Audit;
using Platform.Api.Identity;

namespace Platform.Api.Email;

/// <summary>
/// Operators set an account's alert rules here; accounts without rules use <c>Email:Alerts</c>. Changes are audited
/// because they decide whether a cardholder hears about a purchase.
/// </summary>
internal static class AlertRulesApi
{
    public const long MaxThreshold = 100_000_000_00;

    public static RouteGroupBuilder MapAlertRulesApi(this IEndpointRouteBuilder app)
    {
        // Operators set rules; a cardholder's own alert preferences would be a separate, ownership-checked endpoint.
        var group = app.MapGroup("/v1/accounts/{accountId:guid}/alert-rules").WithTags("Alerts").RequireAuthorization(PlatformPolicies.Operator);
        group.MapGet("/", GetAsync);
        group.MapPut("/", PutAsync);
        group.MapDelete("/", DeleteAsync);
        return group;
    }

    /// <summary>Reads an account's transaction alert rules (operators only): the large-purchase threshold and fraud-decline alerts.</summary>
    public static async Task<Results<Ok<AlertRulesResponse>, NotFound>> GetAsync(Guid accountId, AlertRuleStore rules, CancellationToken cancellationToken) =>
        await rules.GetAsync(accountId, cancellationToken) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();

    /// <summary>Sets an account's transaction alert rules (operators only); fields left out keep their current value.</summary>
    public static async Task<Results<Ok<AlertRulesResponse>, NotFound, ValidationProblem>> PutAsync(
        Guid accountId, AlertRulesRequest request, HttpContext http, AlertRuleStore rules, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.LargePurchaseThreshold is not (>= 1 and <= MaxThreshold))
            errors["largePurchaseThreshold"] = [$"Required: 1 to {MaxThreshold} minor units of the account's currency."];
        if (request.FraudDeclineAlerts is null) errors["fraudDeclineAlerts"] = ["Required: true or false."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (!await rules.SetAsync(accountId, request.LargePurchaseThreshold!.Value, request.FraudDeclineAlerts!.Value, FinancialAudit.RequestActor(http),
                FinancialAudit.RequestOrigin(http), cancellationToken))
            return TypedResults.NotFound();
        return TypedResults.Ok((await rules.GetAsync(accountId, cancellationToken))!);
    }

    /// <summary>Back to the configured defaults.</summary>
    public static async Task<Results<Ok<AlertRulesResponse>, NotFound>> DeleteAsync(
        Guid accountId, HttpContext http, AlertRuleStore rules, CancellationToken cancellationToken)
    {
        await rules.ResetAsync(accountId, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        return await rules.GetAsync(accountId, cancellationToken) is { } found ? TypedResults.Ok(found) : TypedResults.NotFound();
    }
}
