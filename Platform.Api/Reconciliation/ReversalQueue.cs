using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;

namespace Platform.Api.Reconciliation;

/// <summary>
/// A reversal the processor has refused at least once. <c>state</c>: <c>retrying</c> (an attempt is queued or on its way)
/// or <c>needs_attention</c> (attempts used up; an operator retries it or settles it with the processor).
/// </summary>
public sealed record OpenReversal(Guid AuthorizationId, Guid AccountId, string AuthorizationStatus, long Amount, string Currency, string State, int Attempts,
    string? LastFailure, DateTimeOffset? LastFailedAt);

/// <summary>The operators' queue of reversals that did not settle at the first attempt.</summary>
internal static class ReversalQueue
{
    public static RouteGroupBuilder MapReversalQueueApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/reconciliation/reversals").WithTags("Reconciliation").RequireAuthorization(Identity.PlatformPolicies.Operator);
        group.MapGet("/", ListAsync);
        group.MapPost("/{authorizationId:guid}/retry", RetryAsync).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>Open reversals with a refused attempt, those waiting for an operator first, oldest first.</summary>
    public static async Task<Ok<IReadOnlyList<OpenReversal>>> ListAsync(NpgsqlDataSource dataSource, ReconciliationStore store, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return TypedResults.Ok(await store.OpenReversalsAsync(connection, cancellationToken));
    }

    /// <summary>One more attempt for a reversal waiting for an operator (409 when it is not waiting: in flight, settled, or none).</summary>
    public static async Task<Results<Accepted<OperationResponse>, NotFound, ProblemHttpResult>> RetryAsync(
        Guid authorizationId, HttpContext http, NpgsqlDataSource dataSource, ReconciliationStore store, Reversals reversals, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await store.AuthorizationExistsAsync(connection, authorizationId, cancellationToken)) return TypedResults.NotFound();
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var attempt = await reversals.RetryAsync(tx, authorizationId, FinancialAudit.RequestActor(http), FinancialAudit.RequestOrigin(http), cancellationToken);
        if (attempt is null)
        {
            await tx.RollbackAsync(cancellationToken);
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No reversal waits for an operator",
                detail: "This authorization has no reversal whose attempts are used up: none was needed, one is on its way, or it has settled.");
        }
        await tx.CommitAsync(cancellationToken);
        reversals.Wake();
        return TypedResults.Accepted($"/v1/authorizations/{authorizationId}", attempt);
    }
}
