using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Platform.Api.Audit;
using Platform.Api.Identity;

namespace Platform.Api.Statements;

internal static class StatementsApi
{
    public static IEndpointRouteBuilder MapStatementsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/v1/accounts/{accountId:guid}/statements").WithTags("Statements").RequireAuthorization();
        accounts.MapGet("/", ListAsync);
        accounts.MapGet("/{period}", GetPdfAsync).Produces<Stream>(StatusCodes.Status200OK, "application/pdf");

        // Operators and QA: statements normally appear by themselves when the worker sees a period close.
        app.MapPost("/v1/statements/cycle", CycleAsync).WithTags("Statements").RequireAuthorization(PlatformPolicies.Operator);
        return app;
    }

    /// <summary>Lists an account's monthly statements, newest first, with their totals and a link to each PDF.</summary>
    public static async Task<Results<Ok<StatementList>, NotFound>> ListAsync(Guid accountId, ClaimsPrincipal user, Ownership ownership, StatementStore store, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAccountAsync(user, accountId, cancellationToken)) return TypedResults.NotFound();
        if (!await store.AccountExistsAsync(accountId, cancellationToken)) return TypedResults.NotFound();
        return TypedResults.Ok(new StatementList(await store.ListAsync(accountId, cancellationToken)));
    }

    /// <summary>Downloads one monthly statement (period yyyy-MM) as a PDF.</summary>
    public static async Task<Results<FileContentHttpResult, NotFound, ValidationProblem>> GetPdfAsync(
        Guid accountId, string period, ClaimsPrincipal user, Ownership ownership, StatementStore store, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAccountAsync(user, accountId, cancellationToken)) return TypedResults.NotFound();
        if (!StatementPeriod.TryParse(period, out var parsed))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["period"] = ["Must be YYYY-MM, e.g. 2031-02."] });
        return await store.GetPdfAsync(accountId, parsed, cancellationToken) is { } pdf
            ? TypedResults.File(pdf, "application/pdf", $"statement-{parsed.Name}.pdf")
            : TypedResults.NotFound();
    }

    /// <summary>Runs one cycle pass now, by the platform's clock. Idempotent: a second call produces nothing new.</summary>
    public static async Task<Ok<StatementCycleResult>> CycleAsync(HttpContext http, StatementCycle cycle, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cycle.RunAsync(FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken));
}
