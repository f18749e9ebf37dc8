using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Platform.Api.Audit;
using Platform.Data.Queues;

namespace Platform.Api.Outbox;

/// <summary>
/// The operators' view of every durable queue's dead letters (work given up on after its attempts ran out):
/// <c>GET /v1/queues/{queue}/dead-letters</c> lists them, <c>POST …/{id}/retry</c> gives one a fresh round of
/// attempts, recorded on the audit trail with who asked. Queues are the registered <see cref="IDeadLetterQueue"/>s.
/// </summary>
internal static class DeadLettersApi
{
    private const int ListLimit = 500;

    public static RouteGroupBuilder MapDeadLettersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/queues/{queue}/dead-letters").WithTags("Queues").RequireAuthorization(Identity.PlatformPolicies.Operator);
        group.MapGet("/", ListDeadLettersAsync).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/retry", RetryDeadLetterAsync).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    /// <summary>The queue's dead letters, most recent first (at most 500).</summary>
    public static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ProblemHttpResult>> ListDeadLettersAsync(
        string queue, IEnumerable<IDeadLetterQueue> queues, CancellationToken cancellationToken)
    {
        if (Find(queues, queue) is not { } found) return UnknownQueue(queue, queues);
        return TypedResults.Ok(await found.ListDeadLettersAsync(ListLimit, cancellationToken));
    }

    /// <summary>Makes a dead letter due again with a fresh round of attempts (409 when the item is not a dead letter).</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> RetryDeadLetterAsync(
        string queue, string id, HttpContext http, IEnumerable<IDeadLetterQueue> queues, NpgsqlDataSource dataSource, IAuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (Find(queues, queue) is not { } found) return UnknownQueue(queue, queues);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        switch (await found.RetryDeadLetterAsync(id, cancellationToken, transaction))
        {
            case DeadLetterRetry.NotFound:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such item", detail: $"Queue '{found.Name}' has no item with this id.");
            case DeadLetterRetry.NotDead:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a dead letter",
                    detail: "This item still has attempts left or is done: only a dead letter waits for an operator.");
        }
        await audit.AppendAsync(new AuditEntry("queue.dead_letter_retried", FinancialAudit.RequestActor(http), AuditOutcome.Success,
            FinancialAudit.RequestOrigin(http), new AuditResource("queue-item", $"{found.Name}/{id}"),
            JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["queue"] = found.Name, ["id"] = id })), transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static IDeadLetterQueue? Find(IEnumerable<IDeadLetterQueue> queues, string name) =>
        queues.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.Ordinal));

    private static ProblemHttpResult UnknownQueue(string name, IEnumerable<IDeadLetterQueue> queues) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such queue",
            detail: $"Queues with dead letters: {string.Join(", ", queues.Select(q => q.Name).Order(StringComparer.Ordinal))}.");
}
