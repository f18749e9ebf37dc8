using Npgsql;
using Platform.Api.Data;

namespace Platform.Api.Email;

/// <summary>
/// Until Identity links accounts to customers, the holder's address is what the account was opened with: an
/// <c>owner_reference</c> that is an e-mail address, or the application (<c>application:{id}</c>) underwriting opened it
/// for. Registered with TryAdd, so Identity's <see cref="IAccountContacts"/> replaces it.
/// </summary>
internal sealed class AccountOwnerContacts(NpgsqlDataSource dataSource) : IAccountContacts
{
    private const string ApplicationPrefix = "application:";

    public async Task<AccountContact?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select a.owner_reference,
                   (select c.cardholder_name from core.cards c where c.account_id = a.account_id order by c.created_at limit 1),
                   ap.email, ap.first_name, ap.last_name
            from core.accounts a
            left join core.applications ap on a.owner_reference like 'application:%' and ap.account_id = a.account_id
            where a.account_id = $1
            """, accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;

        var owner = reader.IsDBNull(0) ? null : reader.GetString(0).Trim();
        if (owner is not null && owner.StartsWith(ApplicationPrefix, StringComparison.Ordinal) && !reader.IsDBNull(2))
            return new AccountContact(reader.GetString(2), $"{reader.GetString(3)} {reader.GetString(4)}");
        if (owner is not null && owner.Contains('@') && EmailOutbox.IsAddress(owner))
            return new AccountContact(owner, reader.IsDBNull(1) ? "Cardholder" : reader.GetString(1));
        return null;
    }
}
