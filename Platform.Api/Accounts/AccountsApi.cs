using Microsoft.AspNetCore.Http.HttpResults;
using System.Security.Claims;
using Platform.Api.Audit;
using Platform.Api.Identity;

namespace Platform.Api.Accounts;

internal static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/accounts").WithTags("Accounts").RequireAuthorization();
        // Customers get accounts by being approved; opening one directly is an operator's act.
        group.MapPost("/", OpenAsync).RequireAuthorization(PlatformPolicies.Operator);
        group.MapGet("/{accountId:guid}", GetAsync);
        group.MapGet("/{accountId:guid}/transactions", ListTransactionsAsync);
        return group;
    }

    /// <summary>Opens a credit account with a limit for a customer (operators only).</summary>
    public static async Task<Results<Created<AccountResponse>, ValidationProblem>> OpenAsync(
        OpenAccountRequest request, HttpContext http, AccountStore accounts, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Money.IsCurrency(request.Currency)) errors["currency"] = ["Must be an ISO 4217 code such as USD."];
        if (request.CreditLimit is not (>= 0 and <= 100_000_000_00)) errors["creditLimit"] = ["Required: 0 to 10,000,000,000 minor units."];
        if (request.OwnerReference is { Length: > 200 }) errors["ownerReference"] = ["At most 200 characters."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var account = await accounts.OpenDirectAsync(request.Currency!, request.CreditLimit!.Value, request.OwnerReference,
            FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        return TypedResults.Created($"/v1/accounts/{account.Id}", account);
    }

    /// <summary>Reads one of the caller's accounts: limit, available credit, held and posted balances.</summary>
    public static async Task<Results<Ok<AccountResponse>, NotFound>> GetAsync(Guid accountId, ClaimsPrincipal user, Ownership ownership, AccountStore accounts, CancellationToken cancellationToken) =>
        await ownership.CanUseAccountAsync(user, accountId, cancellationToken) && await accounts.GetAsync(accountId, cancellationToken) is { } account
            ? TypedResults.Ok(account) : TypedResults.NotFound();

    /// <summary>Lists an account's ledger postings, newest first; page with the before cursor.</summary>
    public static async Task<Results<Ok<LedgerPage>, NotFound, ValidationProblem>> ListTransactionsAsync(
        Guid accountId, long? before, int? limit, ClaimsPrincipal user, Ownership ownership, AccountStore accounts, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAccountAsync(user, accountId, cancellationToken)) return TypedResults.NotFound();
        if (limit is < 1 or > 500) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["1 to 500."] });
        if (await accounts.GetAsync(accountId, cancellationToken) is null) return TypedResults.NotFound();
        return TypedResults.Ok(await accounts.ListPostingsAsync(accountId, before, limit ?? 50, cancellationToken));
    }
}
