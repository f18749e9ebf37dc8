using Npgsql;
using Platform.Api.Email;

namespace Platform.Api.Tests.Email;

/// <summary>The fallback contact lookup used until Identity registers its own: the account's owner reference.</summary>
[Collection(EmailCollection.Name)]
public sealed class AccountOwnerContactsTests(EmailFixture fixture)
{
    [Fact]
    public async Task An_owner_reference_that_is_an_email_address_is_the_contact_named_after_the_first_cardholder()
    {
        var accountId = await InsertAccountAsync("holder@example.com");

        var contact = await ContactsAsync(accountId);

        Assert.Equal(new AccountContact("holder@example.com", "Cardholder"), contact);
    }

    [Theory]
    [InlineData("crm-customer-42")]
    [InlineData("not an @ address")]
    [InlineData(null)]
    public async Task An_owner_reference_that_is_not_an_address_has_no_contact(string? owner)
    {
        var accountId = await InsertAccountAsync(owner);

        Assert.Null(await ContactsAsync(accountId));
    }

    [Fact]
    public async Task An_unknown_account_has_no_contact() => Assert.Null(await ContactsAsync(Guid.NewGuid()));

    private async Task<AccountContact?> ContactsAsync(Guid accountId)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.Api.DatabaseConnectionString);
        return await new AccountOwnerContacts(dataSource).FindAsync(accountId, CancellationToken.None);
    }

    private async Task<Guid> InsertAccountAsync(string? owner)
    {
        var id = Guid.NewGuid();
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            "insert into core.accounts (account_id, owner_reference, currency, credit_limit, created_at, updated_at) values ($1, $2, 'USD', 100000, now(), now())", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)owner ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
        return id;
    }
}
