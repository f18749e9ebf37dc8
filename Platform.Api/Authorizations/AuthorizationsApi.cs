using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Idempotency;
using Platform.Api.Identity;

namespace Platform.Api.Authorizations;

internal static class AuthorizationsApi
{
    public static IEndpointRouteBuilder MapAuthorizationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Authorizations").RequireAuthorization();
        group.MapPost("/authorizations", AuthorizeAsync).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/authorizations/{authorizationId:guid}", GetAsync);
        group.MapPost("/authorizations/{authorizationId:guid}/capture", CaptureAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/authorizations/{authorizationId:guid}/void", VoidAsync).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/transactions/{transactionId:guid}/refund", RefundAsync).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>Authorizes a purchase in real time. Always answers 200 with approved or declined once the request is valid.</summary>
    public static async Task<Results<Ok<AuthorizationResponse>, IdempotentReplayResult, ValidationProblem, ProblemHttpResult>> AuthorizeAsync(
        AuthorizeRequest request, [FromHeader(Name = IdempotencyStore.HeaderName)] string? idempotencyKey, HttpContext http,
        AuthorizationService service, AuthorizationMetrics metrics, CancellationToken cancellationToken)
    {
        // A duration, measured on the machine's clock (QA's test clock moves dates, not elapsed time).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Someone else's card is answered like a card that does not exist (checked with the card read itself).
        var result = await service.AuthorizeAsync(request, idempotencyKey, FinancialAudit.RequestOrigin(http), FinancialAudit.RequestActor(http), http.User, cancellationToken);
        return result switch
        {
            AuthorizeResult.Decided decided => Decided(decided.Response, metrics, System.Diagnostics.Stopwatch.GetElapsedTime(started)),
            AuthorizeResult.Replay replay => replay.Result,
            AuthorizeResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            _ => CardNotFound(),
        };
    }

    private static Ok<AuthorizationResponse> Decided(AuthorizationResponse response, AuthorizationMetrics metrics, TimeSpan elapsed)
    {
        metrics.Decided(response, elapsed);
        return TypedResults.Ok(response);
    }

    private static ProblemHttpResult CardNotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Card not found",
        detail: "No card has this id.", extensions: new Dictionary<string, object?> { ["field"] = "cardId" });

    /// <summary>Captures an approved authorization, in full when no amount is sent or partly (several captures are allowed); completes asynchronously (202).</summary>
    public static async Task<Results<Accepted<OperationResponse>, IdempotentReplayResult, ValidationProblem, NotFound, ProblemHttpResult>> CaptureAsync(
        Guid authorizationId, AmountRequest? request, [FromHeader(Name = IdempotencyStore.HeaderName)] string? idempotencyKey, HttpContext http,
        CardOperations operations, Ownership ownership, CancellationToken cancellationToken) =>
        !await ownership.CanUseAuthorizationAsync(http.User, authorizationId, cancellationToken) ? TypedResults.NotFound() :
        ToHttp(await operations.CaptureAsync(authorizationId, request ?? new AmountRequest(null), idempotencyKey, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken));

    /// <summary>Voids what is still held of an authorization, releasing the credit; completes asynchronously (202).</summary>
    public static async Task<Results<Accepted<OperationResponse>, IdempotentReplayResult, ValidationProblem, NotFound, ProblemHttpResult>> VoidAsync(
        Guid authorizationId, [FromHeader(Name = IdempotencyStore.HeaderName)] string? idempotencyKey, HttpContext http,
        CardOperations operations, Ownership ownership, CancellationToken cancellationToken) =>
        !await ownership.CanUseAuthorizationAsync(http.User, authorizationId, cancellationToken) ? TypedResults.NotFound() :
        ToHttp(await operations.VoidAsync(authorizationId, idempotencyKey, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken));

    /// <summary>Refunds a captured purchase, in full when no amount is sent or partly; completes asynchronously (202).</summary>
    public static async Task<Results<Accepted<OperationResponse>, IdempotentReplayResult, ValidationProblem, NotFound, ProblemHttpResult>> RefundAsync(
        Guid transactionId, AmountRequest? request, [FromHeader(Name = IdempotencyStore.HeaderName)] string? idempotencyKey, HttpContext http,
        CardOperations operations, Ownership ownership, CancellationToken cancellationToken) =>
        !await ownership.CanUseOperationAsync(http.User, transactionId, cancellationToken) ? TypedResults.NotFound() :
        ToHttp(await operations.RefundAsync(transactionId, request ?? new AmountRequest(null), idempotencyKey, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken));

    private static Results<Accepted<OperationResponse>, IdempotentReplayResult, ValidationProblem, NotFound, ProblemHttpResult> ToHttp(OperationRequestResult result) => result switch
    {
        OperationRequestResult.Accepted accepted => TypedResults.Accepted($"/v1/authorizations/{accepted.Operation.AuthorizationId}", accepted.Operation),
        OperationRequestResult.Replay replay => replay.Result,
        OperationRequestResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        OperationRequestResult.Conflict conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: conflict.Title, detail: conflict.Detail),
        _ => TypedResults.NotFound(),
    };

    /// <summary>Reads one authorization with the captures, voids and refunds made on it since.</summary>
    public static async Task<Results<Ok<AuthorizationDetails>, NotFound>> GetAsync(Guid authorizationId, System.Security.Claims.ClaimsPrincipal user, Ownership ownership,
        NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAuthorizationAsync(user, authorizationId, cancellationToken)) return TypedResults.NotFound();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var operations = new List<OperationResponse>();
        await using (var command = Sql.Command(connection, null, """
            select operation_id, kind, authorization_id, amount, currency, status, refunded_operation_id, failure_reason, created_at, completed_at
            from core.card_operations where authorization_id = $1 order by created_at
            """, authorizationId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                operations.Add(new OperationResponse(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4), reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
            }
        }
        await using (var command = Sql.Command(connection, null, """
            select authorization_id, card_id, account_id, status, amount, approved_amount, held_amount, captured_amount, currency, response_code, decline_reason,
                merchant_name, merchant_mcc, merchant_country, created_at, expires_at
            from core.authorizations where authorization_id = $1
            """, authorizationId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return TypedResults.NotFound();
            return TypedResults.Ok(new AuthorizationDetails(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5),
                reader.GetInt64(6), reader.GetInt64(7), reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                new MerchantRequest(null, reader.GetString(11), reader.GetString(12), reader.GetString(13)), reader.GetFieldValue<DateTimeOffset>(14),
                reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15), operations));
        }
    }
}
