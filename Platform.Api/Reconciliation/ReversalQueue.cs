using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Data;

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
    public static async Task<Ok<IReadOnlyList<OpenReversal>>> ListAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select o.authorization_id, a.account_id, a.status, max(o.amount), a.currency, count(*),
                bool_and(o.status = 'failed'),
                (array_agg(o.failure_reason order by o.created_at desc) filter (where o.status = 'failed'))[1],
                max(o.completed_at) filter (where o.status = 'failed')
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id
            where o.kind = 'reversal'
                and o.authorization_id in (select authorization_id from core.card_operations where kind = 'reversal' and status = 'failed')
            group by o.authorization_id, a.account_id, a.status, a.currency
            having not bool_or(o.status = 'succeeded')
            order by bool_and(o.status = 'failed') desc, min(o.created_at)
            limit 500
            """);
        var list = new List<OpenReversal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new OpenReversal(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.GetBoolean(6) ? "needs_attention" : "retrying", (int)reader.GetInt64(5), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return TypedResults.Ok<IReadOnlyList<OpenReversal>>(list);
    }

    /// <summary>One more attempt for a reversal waiting for an operator (409 when it is not waiting: in flight, settled, or none).</summary>
    public static async Task<Results<Accepted<OperationResponse>, NotFound, ProblemHttpResult>> RetryAsync(
        Guid authorizationId, HttpContext http, NpgsqlDataSource dataSource, Reversals reversals, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = Sql.Command(connection, null, "select 1 from core.authorizations where authorization_id = $1", authorizationId))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is null) return TypedResults.NotFound();
        }
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
