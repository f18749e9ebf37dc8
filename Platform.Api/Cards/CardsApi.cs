using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Identity;
using Platform.Api.Outbox;

namespace Platform.Api.Cards;

internal sealed record CardServices(NpgsqlDataSource DataSource, CardIssuing Issuing, IdempotencyStore Idempotency, OutboxStore Outbox, Ownership Ownership);

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
        [AsParameters] CardServices s, CancellationToken cancellationToken)
    {
        if (!await s.Ownership.CanUseAccountAsync(http.User, accountId, cancellationToken)) return TypedResults.NotFound();
        var errors = IdempotencyStore.ValidateKey(idempotencyKey) ?? CardIssuing.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var scope = "issue-card:" + accountId;
        var hash = IdempotencyStore.Hash(scope, request, MoneyJsonContext.Default.IssueCardRequest);

        await using var connection = await s.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await s.Idempotency.TryClaimAsync(tx, scope, idempotencyKey!, hash, cancellationToken))
        {
            await tx.RollbackAsync(cancellationToken);
            return new IdempotentReplayResult((await s.Idempotency.FindAsync(connection, null, scope, idempotencyKey!, cancellationToken))!, hash);
        }
        await using (var account = Sql.Command(connection, tx, "select status from core.accounts where account_id = $1 for share", accountId))
        {
            switch (await account.ExecuteScalarAsync(cancellationToken))
            {
                case null:
                    await tx.RollbackAsync(cancellationToken);
                    return TypedResults.NotFound();
                case string status when status != "open":
                    await tx.RollbackAsync(cancellationToken);
                    return TypedResults.Problem(statusCode: 409, title: "Account not open", detail: $"Cards cannot be issued on a {status} account.");
            }
        }
        var card = await s.Issuing.RequestAsync(tx, accountId, request.Type!, request.CardholderName!, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        await s.Idempotency.CompleteAsync(tx, scope, idempotencyKey!, 202, card, MoneyJsonContext.Default.CardResponse, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        s.Outbox.Wake();
        return TypedResults.Accepted($"/v1/cards/{card.Id}", card);
    }

    /// <summary>Reads one of the caller's cards: type, status (requested, active …), last four digits and expiry once the processor has issued it.</summary>
    public static async Task<Results<Ok<CardResponse>, NotFound>> GetAsync(Guid cardId, System.Security.Claims.ClaimsPrincipal user, Ownership ownership, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseCardAsync(user, cardId, cancellationToken)) return TypedResults.NotFound();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select card_id, account_id, card_type, status, cardholder_name, last4, expiry_month, expiry_year, created_at, updated_at
            from core.cards where card_id = $1
            """, cardId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return TypedResults.NotFound();
        return TypedResults.Ok(new CardResponse(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetInt32(7),
            reader.GetFieldValue<DateTimeOffset>(8), reader.GetFieldValue<DateTimeOffset>(9)));
    }
}
