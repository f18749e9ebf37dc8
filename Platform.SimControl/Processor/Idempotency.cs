using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>What a mutating operation produced inside its transaction: a body to store and return, or a refusal.</summary>
internal sealed record WorkResult<T>(T? Body, ProblemHttpResult? Problem)
{
    public static WorkResult<T> Done(T body) => new(body, null);
    public static WorkResult<T> Refused(int status, string title, string detail) => new(default, TypedResults.Problem(statusCode: status, title: title, detail: detail));
}

internal enum IdempotencyOutcome { Fresh, Replayed, Refused, KeyReused }

internal sealed record IdempotentResult<T>(IdempotencyOutcome Outcome, T? Body, ProblemHttpResult? Problem)
{
    public static IdempotentResult<T> KeyReused() => new(IdempotencyOutcome.KeyReused, default, TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency-Key reused with a different request",
        detail: "This Idempotency-Key was first used with another request body; use a new key for a new request.",
        extensions: new Dictionary<string, object?> { ["field"] = Idempotency.HeaderName }));
}

/// <summary>One request's Idempotency-Key: the operation it is scoped to, the key, and the hash of the exact request.</summary>
internal sealed record IdempotencyKey(string Scope, string Key, string RequestHash);

/// <summary>
/// Idempotency-Key handling. The key row, the operation's own rows and the stored answer are written in one
/// transaction, so a concurrent retry with the same key waits on the key's unique index and then replays the answer;
/// a refused request (404, 409, 422) stores nothing, so it can be corrected and retried with the same key.
/// </summary>
internal sealed class Idempotency(NpgsqlDataSource dataSource)
{
    public const string HeaderName = "Idempotency-Key";

    private sealed record StoredKey(string RequestHash, string Response);

    public static string Hash(string scope, byte[] body) =>
        Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(scope + "\n"), .. body]));

    public async Task<IdempotentResult<T>> RunAsync<T>(
        IdempotencyKey idempotencyKey, JsonTypeInfo<T> typeInfo,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<WorkResult<T>>> work, CancellationToken cancellationToken)
    {
        var (scope, key, requestHash) = idempotencyKey;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        var claimed = await connection.ExecuteAsync(new CommandDefinition("""
            insert into processor_sim.idempotency_keys (scope, key, request_hash, status_code, response)
            values (@scope, @key, @requestHash, 0, 'null') on conflict do nothing
            """, new { scope, key, requestHash }, tx, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            var existing = await connection.QuerySingleAsync<StoredKey>(new CommandDefinition(
                "select request_hash, response::text as response from processor_sim.idempotency_keys where scope = @scope and key = @key",
                new { scope, key }, tx, cancellationToken: cancellationToken));
            return existing.RequestHash != requestHash
                ? IdempotentResult<T>.KeyReused()
                : new(IdempotencyOutcome.Replayed, JsonSerializer.Deserialize(existing.Response, typeInfo), null);
        }

        var result = await work(connection, tx);
        if (result.Problem is not null)
        {
            await tx.RollbackAsync(cancellationToken);
            return new(IdempotencyOutcome.Refused, default, result.Problem);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "update processor_sim.idempotency_keys set status_code = 200, response = @response::jsonb where scope = @scope and key = @key",
            new { scope, key, response = JsonSerializer.Serialize(result.Body!, typeInfo) }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new(IdempotencyOutcome.Fresh, result.Body, null);
    }
}
