using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapper;
using Npgsql;

namespace Platform.Api.Idempotency;

/// <summary>What an earlier request with the same key left behind.</summary>
public sealed record StoredIdempotentResponse(string RequestHash, int StatusCode, string? ResponseJson);

/// <summary>
/// Idempotency keys for the mutating money endpoints. The key is claimed inside the same transaction as the work, so
/// a concurrent retry waits on the key's unique index and then sees the outcome; a refused request rolls back and
/// leaves no key, so it can be corrected and retried with the same one.
/// </summary>
public sealed class IdempotencyStore(TimeProvider time)
{
    public const string HeaderName = "Idempotency-Key";

    public static string Hash<T>(string scope, T request, JsonTypeInfo<T> typeInfo) =>
        Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(scope + "\n"), .. JsonSerializer.SerializeToUtf8Bytes(request, typeInfo)]));

    public static Dictionary<string, string[]>? ValidateKey(string? key) =>
        string.IsNullOrWhiteSpace(key) || key.Length > 255
            ? new() { [HeaderName] = ["Required on every mutating money call: a unique value per intended operation, at most 255 characters."] }
            : null;

    public Task<StoredIdempotentResponse?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string scope, string key, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<StoredIdempotentResponse>(new CommandDefinition(
            "select request_hash, status_code, response as response_json from core.idempotency_keys where scope = @scope and idempotency_key = @key",
            new { scope, key }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// <see cref="TryClaimAsync"/> as a common-table expression: <c>claim</c> returns a row when this request owns the
    /// key. Parameters: <c>@claim_scope</c>, <c>@claim_key</c>, <c>@claim_hash</c>, <c>@now</c> (see <see cref="Authorizations.AuthorizationStore"/>).
    /// </summary>
    public const string ClaimCte = """
        claim as (
            insert into core.idempotency_keys (scope, idempotency_key, request_hash, status_code, created_at)
            values (@claim_scope, @claim_key, @claim_hash, 0, @now) on conflict do nothing returning 1)
        """;

    /// <summary>
    /// <see cref="ClaimCte"/> for a request answered in the same statement: the key goes in with its answer already
    /// stored, so claiming and completing it cost one statement. Also <c>@claim_status</c> and <c>@claim_response</c>
    /// (<see cref="StoredText"/>).
    /// </summary>
    public const string ClaimAnsweredCte = """
        claim as (
            insert into core.idempotency_keys (scope, idempotency_key, request_hash, status_code, response, created_at)
            values (@claim_scope, @claim_key, @claim_hash, @claim_status, @claim_response, @now) on conflict do nothing returning 1)
        """;

    /// <summary>True when this request owns the key; false when another request already used it (committed).</summary>
    public async Task<bool> TryClaimAsync(NpgsqlTransaction transaction, string scope, string key, string requestHash, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.idempotency_keys (scope, idempotency_key, request_hash, status_code, created_at)
            values (@scope, @key, @requestHash, 0, @now) on conflict do nothing
            """, new { scope, key, requestHash, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1;

    /// <summary>
    /// <see cref="CompleteAsync"/> as a common-table expression <c>answered</c>, run when <paramref name="condition"/>
    /// holds. Parameters: <c>@answer_scope</c>, <c>@answer_key</c>, <c>@answer_status</c>, <c>@answer_response</c>
    /// (<see cref="StoredText"/>).
    /// </summary>
    public static string AnsweredCte(string condition) => $"""
        answered as (
            update core.idempotency_keys set status_code = @answer_status, response = @answer_response
            where scope = @answer_scope and idempotency_key = @answer_key and {condition})
        """;

    /// <summary>An answer as stored under its key: the exact text sent, so that a replay answers byte for byte the same.</summary>
    public static string StoredText<T>(T response, JsonTypeInfo<T> typeInfo) => JsonSerializer.Serialize(response, typeInfo);

    public Task CompleteAsync<T>(NpgsqlTransaction transaction, string scope, string key, int statusCode, T response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "update core.idempotency_keys set status_code = @statusCode, response = @response where scope = @scope and idempotency_key = @key",
            new { scope, key, statusCode, response = StoredText(response, typeInfo) }, transaction, cancellationToken: cancellationToken));
}

/// <summary>
/// The answer to a request whose key was used before: the first answer again (marked <c>Idempotent-Replayed</c>),
/// a 422 when the key came with a different request, or a 409 while the first request is still being worked on.
/// </summary>
public sealed class IdempotentReplayResult(StoredIdempotentResponse stored, string requestHash) : IResult, Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider
{
    /// <summary>Every endpoint that can replay declares the two refusals a reused key can meet.</summary>
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status409Conflict, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status422UnprocessableEntity, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (stored.RequestHash != requestHash)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused with a different request",
                detail: "This Idempotency-Key was first used with another request; use a new key for a new operation.",
                extensions: new Dictionary<string, object?> { ["field"] = IdempotencyStore.HeaderName }).ExecuteAsync(httpContext);
            return;
        }
        if (stored.StatusCode == 0 || stored.ResponseJson is null)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Request in progress",
                detail: "A request with this Idempotency-Key is still being processed; retry shortly with the same key.").ExecuteAsync(httpContext);
            return;
        }
        httpContext.Response.StatusCode = stored.StatusCode;
        httpContext.Response.Headers["Idempotent-Replayed"] = "true";
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await httpContext.Response.WriteAsync(stored.ResponseJson, httpContext.RequestAborted);
    }
}
