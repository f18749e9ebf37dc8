using System.Security.Claims;
using Dapper;
using Npgsql;

namespace Platform.Api.Identity;

/// <summary>
/// Who may see what: operators see everything; a customer only what hangs off their own accounts. Every check answers
/// "not yours" and "does not exist" alike, so endpoints turn both into the same 404 and never confirm another
/// customer's ids.
/// </summary>
public sealed class Ownership(NpgsqlDataSource dataSource)
{
    public Task<bool> CanUseAccountAsync(ClaimsPrincipal user, Guid accountId, CancellationToken cancellationToken) =>
        CheckAsync(user, "select owner_reference from core.accounts where account_id = @id", accountId, cancellationToken);

    public Task<bool> CanUseCardAsync(ClaimsPrincipal user, Guid cardId, CancellationToken cancellationToken) =>
        CheckAsync(user, "select a.owner_reference from core.cards c join core.accounts a on a.account_id = c.account_id where c.card_id = @id", cardId, cancellationToken);

    public Task<bool> CanUseAuthorizationAsync(ClaimsPrincipal user, Guid authorizationId, CancellationToken cancellationToken) =>
        CheckAsync(user, "select a.owner_reference from core.authorizations z join core.accounts a on a.account_id = z.account_id where z.authorization_id = @id", authorizationId, cancellationToken);

    public Task<bool> CanUseOperationAsync(ClaimsPrincipal user, Guid operationId, CancellationToken cancellationToken) =>
        CheckAsync(user, "select a.owner_reference from core.card_operations o join core.accounts a on a.account_id = o.account_id where o.operation_id = @id", operationId, cancellationToken);

    public Task<bool> CanUseApplicationAsync(ClaimsPrincipal user, Guid applicationId, CancellationToken cancellationToken) =>
        CheckAsync(user, "select owner_user_id from core.applications where application_id = @id", applicationId, cancellationToken);

    /// <summary>Whether <paramref name="user"/> may act on something owned by <paramref name="owner"/>: an operator, or its owner.</summary>
    public static bool Owns(ClaimsPrincipal user, string? owner) => user.IsOperator() || (user.UserId() is { } userId && owner == userId);

    /// <param name="sql">Selects the owner of the thing whose id is <c>@id</c>.</param>
    private async Task<bool> CheckAsync(ClaimsPrincipal user, string sql, Guid id, CancellationToken cancellationToken)
    {
        if (user.IsOperator()) return true;
        if (user.UserId() is not { } userId) return false;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken)) is { } owner
            && owner == userId;
    }
}
