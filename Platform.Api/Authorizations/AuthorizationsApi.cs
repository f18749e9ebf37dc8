using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Platform.Api.Audit;
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
        NpgsqlDataSource dataSource, AuthorizationStore store, CancellationToken cancellationToken)
    {
        if (!await ownership.CanUseAuthorizationAsync(user, authorizationId, cancellationToken)) return TypedResults.NotFound();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await store.GetDetailsAsync(connection, authorizationId, cancellationToken) is { } details ? TypedResults.Ok(details) : TypedResults.NotFound();
    }
}
