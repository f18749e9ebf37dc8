using Dapper;
using Npgsql;
using Platform.Api.Email;

namespace Platform.Api.Identity;

/// <summary>An account's holder is the customer whose user id the account carries; their confirmed e-mail is where mail goes.</summary>
internal sealed class IdentityAccountContacts(NpgsqlDataSource dataSource) : IAccountContacts
{
    public async Task<AccountContact?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var holder = await connection.QuerySingleOrDefaultAsync<Holder>(new CommandDefinition("""
            select u."Email", u."UserName" from core.accounts a join identity."AspNetUsers" u on u."Id" = a.owner_reference
            where a.account_id = @accountId and u."EmailConfirmed"
            """, new { accountId }, cancellationToken: cancellationToken));
        if (holder?.Email is not { } email) return null;
        return new AccountContact(email, email[..Math.Max(1, email.IndexOf('@'))]);
    }

    private sealed record Holder(string? Email, string? UserName);
}
