using Dapper;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>
/// The claim and complete SQL of the operations queue (<c>processor_sim.operations</c>), in one place so it can move onto
/// a shared lease-queue helper. A claim is a row lock held by the completing transaction (SKIP LOCKED), not a lease:
/// completion and its effects commit together or not at all, so nothing needs a retry schedule.
/// </summary>
internal static class OperationQueue
{
    internal sealed record DueOperation(string OperationId, string Kind, string? AuthorizationId, string? CardToken, long? Amount, string? Currency, DateTimeOffset CreatedAt);

    /// <summary>Locks up to 50 due operations for the caller's transaction; rows another instance holds are skipped.</summary>
    public static async Task<IReadOnlyList<DueOperation>> ClaimDueAsync(DateTimeOffset now, NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken cancellationToken) =>
        [.. await connection.QueryAsync<DueOperation>(new CommandDefinition("""
            select operation_id, kind, authorization_id, card_token, amount, currency, created_at from processor_sim.operations
            where status = 'pending' and due_at <= @now order by due_at limit 50 for update skip locked
            """, new { now }, tx, cancellationToken: cancellationToken))];

    public static Task CompleteAsync(string operationId, bool succeeded, string? failureReason, DateTimeOffset now, NpgsqlConnection connection, NpgsqlTransaction tx,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.operations set status = @status, failure_reason = @failureReason, completed_at = @now where operation_id = @operationId",
            new { operationId, status = succeeded ? "succeeded" : "failed", failureReason, now }, tx, cancellationToken: cancellationToken));
}
