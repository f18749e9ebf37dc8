using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Platform.SimControl.Processor;

/// <summary>What a mutating operation produced inside its transaction: a body to store and return, or a refusal.</summary>
internal sealed record WorkResult<T>(T? Body, ProblemHttpResult? Problem, Func<NpgsqlConnection, NpgsqlTransaction, Task>? AfterStore = null)
{
    public static WorkResult<T> Done(T body) => new(body, null);
    public static WorkResult<T> Refused(int status, string title, string detail) => new(default, TypedResults.Problem(statusCode: status, title: title, detail: detail));
}

internal enum IdempotencyOutcome { Fresh, Replayed, Refused, KeyReused }

internal sealed record IdempotentResult<T>(IdempotencyOutcome Outcome, T? Body, ProblemHttpResult? Problem);

/// <summary>
/// Idempotency-Key handling. The key row, the operation's own rows and the stored answer are written in one
/// transaction, so a concurrent retry with the same key waits on the key's unique index and then replays the answer;
/// a refused request (404, 409, 422) stores nothing, so it can be corrected and retried with the same key.
/// </summary>
internal sealed class Idempotency(NpgsqlDataSource dataSource)
{
    public const string HeaderName = "Idempotency-Key";

    public static string Hash(string scope, byte[] body) =>
        Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(scope + "\n"), .. body]));

    public async Task<IdempotentResult<T>> RunAsync<T>(
        string scope, string key, string requestHash, JsonTypeInfo<T> typeInfo,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<WorkResult<T>>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        await using (var claim = new NpgsqlCommand("""
            insert into processor_sim.idempotency_keys (scope, key, request_hash, status_code, response)
            values ($1, $2, $3, 0, 'null') on conflict do nothing
            """, connection, tx))
        {
            claim.Parameters.AddWithValue(scope);
            claim.Parameters.AddWithValue(key);
            claim.Parameters.AddWithValue(requestHash);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await using var existing = new NpgsqlCommand(
                    "select request_hash, response::text from processor_sim.idempotency_keys where scope = $1 and key = $2", connection, tx);
                existing.Parameters.AddWithValue(scope);
                existing.Parameters.AddWithValue(key);
                await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                if (reader.GetString(0) != requestHash)
                {
                    return new(IdempotencyOutcome.KeyReused, default, TypedResults.Problem(
                        statusCode: StatusCodes.Status422UnprocessableEntity,
                        title: "Idempotency-Key reused with a different request",
                        detail: "This Idempotency-Key was first used with another request body; use a new key for a new request.",
                        extensions: new Dictionary<string, object?> { ["field"] = HeaderName }));
                }
                return new(IdempotencyOutcome.Replayed, JsonSerializer.Deserialize(reader.GetString(1), typeInfo), null);
            }
        }

        var result = await work(connection, tx);
        if (result.Problem is not null)
        {
            await tx.RollbackAsync(cancellationToken);
            return new(IdempotencyOutcome.Refused, default, result.Problem);
        }

        await using (var store = new NpgsqlCommand(
            "update processor_sim.idempotency_keys set status_code = 200, response = $3::jsonb where scope = $1 and key = $2", connection, tx))
        {
            store.Parameters.AddWithValue(scope);
            store.Parameters.AddWithValue(key);
            store.Parameters.AddWithValue(JsonSerializer.Serialize(result.Body!, typeInfo));
            await store.ExecuteNonQueryAsync(cancellationToken);
        }
        if (result.AfterStore is not null) await result.AfterStore(connection, tx);
        await tx.CommitAsync(cancellationToken);
        return new(IdempotencyOutcome.Fresh, result.Body, null);
    }
}
