using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Email;

namespace Platform.Api.Tests.Statements;

[Collection(StatementsCollection.Name)]
public sealed class StatementEmailTests(StatementsFixture fixture)
{
    private MovableClock Clock => fixture.Clock;
    private TestLedger Ledger => fixture.Ledger;

    [Fact]
    public async Task The_statement_email_is_requested_once_with_the_pdf_attached()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        await Ledger.AddConfirmedOwnerAsync(account, $"holder-{account:N}@example.test");
        await Ledger.PurchaseAsync(account, 5000, "Music Hall");
        Clock.MoveToNextMonth(day: 2);

        var statement = Assert.Single((await fixture.CycleAsync()).Produced, s => s.AccountId == account);
        await fixture.CycleAsync();

        // The contact the API itself resolves, so the test follows whichever contact rule is installed.
        var contact = await fixture.Api.Services.GetRequiredService<IAccountContacts>().FindAsync(account, CancellationToken.None);
        Assert.Equal($"holder-{account:N}@example.test", contact?.Email);
        Assert.True(statement.EmailQueued);
        var key = $"statement:{account}:{statement.Period}";
        await using var connection = await Ledger.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            select e.template, e.recipients, e.model::text, a.file_name, a.content_type, a.content
            from core.emails e join core.email_attachments a on a.email_id = e.email_id
            where e.deduplication_key = $1
            """, connection) { Parameters = { new() { Value = key } } };
        var rows = new List<(string Template, string[] To, string Model, string File, string Type, byte[] Content)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                rows.Add((reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetFieldValue<byte[]>(5)));
        }
        var email = Assert.Single(rows);
        Assert.Equal("statement-ready", email.Template);
        Assert.Equal([$"holder-{account:N}@example.test"], email.To);
        Assert.Contains("5000", email.Model);
        Assert.Equal($"statement-{statement.Period}.pdf", email.File);
        Assert.Equal("application/pdf", email.Type);
        Assert.Equal(await fixture.DownloadAsync(account, statement.Period), email.Content);
    }

    [Fact]
    public async Task An_account_without_a_contact_gets_its_statement_and_no_email()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        await Ledger.PurchaseAsync(account, 2500, "Corner Kiosk");
        Clock.MoveToNextMonth(day: 2);

        var statement = Assert.Single((await fixture.CycleAsync()).Produced, s => s.AccountId == account);

        Assert.False(statement.EmailQueued);
        Assert.Equal(0L, await Ledger.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", $"statement:{account}:{statement.Period}"));
    }
}
