using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Idempotency;
using Platform.Api.Identity;

namespace Platform.Api.Cards;

internal static class CardsApi
{
    public static IEndpointRouteBuilder MapCardsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/accounts/{accountId:guid}/cards", IssueAsync).WithTags("Cards").RequireAuthorization().ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/v1/cards/{cardId:guid}", GetAsync).WithTags("Cards").RequireAuthorization();
        return app;
    }

    /// <summary>Requests a card; it is issued by the processor in the background and its status follows the processor's webhooks.</summary>
    public static async Task<Results<Accepted<CardResponse>, IdempotentReplayResult, NotFound, ValidationProblem, ProblemHttpResult>> IssueAsync(
        Guid accountId, IssueCardRequest request, [FromHeader(Name = IdempotencyStore.HeaderName)] string? idempotencyKey, HttpContext http,
        Ownership ownership, CardIssuing issuing, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAccountAsync(http.User, accountId, cancellationToken)) return TypedResults.NotFound();
        var errors = IdempotencyStore.ValidateKey(idempotencyKey) ?? CardIssuing.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        return await issuing.RequestOnAccountAsync(accountId, request, idempotencyKey!, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http),
                cancellationToken) switch
        {
            CardIssueOutcome.Requested { Card: var card } => TypedResults.Accepted($"/v1/cards/{card.Id}", card),
            CardIssueOutcome.Replay replay => new IdempotentReplayResult(replay.Earlier, replay.RequestHash),
            CardIssueOutcome.AccountNotOpen { Status: var status } =>
                TypedResults.Problem(statusCode: 409, title: "Account not open", detail: $"Cards cannot be issued on a {status} account."),
            _ => TypedResults.NotFound(),
        };
    }

    /// <summary>Reads one of the caller's cards: type, status (requested, active …), last four digits and expiry once the processor has issued it.</summary>
    public static async Task<Results<Ok<CardResponse>, NotFound>> GetAsync(Guid cardId, System.Security.Claims.ClaimsPrincipal user, Ownership ownership, CardStore cards,
        CancellationToken cancellationToken) =>
        await ownership.CanUseCardAsync(user, cardId, cancellationToken) && await cards.GetAsync(cardId, cancellationToken) is { } card
            ? TypedResults.Ok(card) : TypedResults.NotFound();
}
