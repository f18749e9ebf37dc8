using Npgsql;
using Platform.Api.Data;
using Platform.Api.Email;

namespace Platform.Api.Identity;

/// <summary>An account's holder is the customer whose user id the account carries; their confirmed e-mail is where mail goes.</summary>
internal sealed class IdentityAccountContacts(NpgsqlDataSource dataSource) : IAccountContacts
{
    public async Task<AccountContact?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select u."Email", u."UserName" from core.accounts a join identity."AspNetUsers" u on u."Id" = a.owner_reference
            where a.account_id = $1 and u."EmailConfirmed"
            """, accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0)) return null;
        var email = reader.GetString(0);
        return new AccountContact(email, email[..Math.Max(1, email.IndexOf('@'))]);
    }
}
