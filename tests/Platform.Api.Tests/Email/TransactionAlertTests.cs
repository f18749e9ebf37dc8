using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Platform.Api.Accounts;
using Platform.Api.Email;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Email;

/// <summary>
/// Alert rules evaluated as real authorizations are recorded (API + processor-sim in-process). The money fixture's
/// fraud service is unreachable, so its fallback rule decides: approve up to 50.00, decline as suspected fraud above.
/// Its sink folder is the default one, so the tests find each e-mail through <c>core.emails.location</c>.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class TransactionAlertTests(MoneyFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly MoneyDriver driver = new(fixture);

    [Fact]
    public async Task An_approved_purchase_at_the_accounts_threshold_mails_a_large_purchase_alert_to_the_holder()
    {
        var (account, card, email) = await AccountWithCardAsync(threshold: 2_000);

        var authorization = await driver.AuthorizeAsync(card.Id, 2_000);
        var sent = await AlertAsync(authorization.Id);

        Assert.Equal("approved", authorization.Status);
        Assert.Equal([email], sent.Metadata.To);
        Assert.Equal(EmailTemplates.TransactionAlert, sent.Metadata.Template);
        Assert.Equal($"Purchase of 20.00 USD on your card ending {card.Last4}", sent.Metadata.Subject);
        Assert.Contains("Merchant: Corner Grocer", sent.Text);
        Assert.Equal(account.Id, authorization.AccountId);
    }

    [Fact]
    public async Task An_approved_purchase_below_the_threshold_leaves_no_alert()
    {
        var (_, card, _) = await AccountWithCardAsync(threshold: 2_000);

        var authorization = await driver.AuthorizeAsync(card.Id, 1_999);

        // The rule is evaluated inside the authorization's transaction: when the response is back, any alert is queued.
        Assert.Equal("approved", authorization.Status);
        Assert.Equal(0L, await CountAsync("select count(*) from core.outbox where kind = 'email.transaction-alert' and subject_id = $1", authorization.Id));
    }

    [Fact]
    public async Task A_purchase_declined_as_suspected_fraud_mails_a_fraud_alert()
    {
        var (_, card, email) = await AccountWithCardAsync(threshold: null);

        var authorization = await driver.AuthorizeAsync(card.Id, 6_000);
        var sent = await AlertAsync(authorization.Id);

        Assert.Equal("suspected_fraud", authorization.DeclineReason);
        Assert.Equal([email], sent.Metadata.To);
        Assert.Equal($"We declined a purchase on your card ending {card.Last4}", sent.Metadata.Subject);
        Assert.Contains("We declined a purchase of 60.00 USD at Corner Grocer", sent.Text);
    }

    [Fact]
    public async Task An_account_whose_rules_turn_fraud_alerts_off_gets_none()
    {
        var (account, card, _) = await AccountWithCardAsync(threshold: 100_000);
        var put = await fixture.Client.PutAsJsonAsync($"/v1/accounts/{account.Id}/alert-rules", new { largePurchaseThreshold = 100_000, fraudDeclineAlerts = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var authorization = await driver.AuthorizeAsync(card.Id, 6_000);

        Assert.Equal("suspected_fraud", authorization.DeclineReason);
        Assert.Equal(0L, await CountAsync("select count(*) from core.outbox where kind = 'email.transaction-alert' and subject_id = $1", authorization.Id));
    }

    [Fact]
    public async Task An_account_without_an_email_contact_is_skipped_and_its_purchase_still_approved()
    {
        var opened = await fixture.Client.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 100_000, ownerReference = $"crm-customer-{Guid.NewGuid():N}" });
        var account = (await opened.Content.ReadFromJsonAsync<AccountResponse>(Json))!;
        var put = await fixture.Client.PutAsJsonAsync($"/v1/accounts/{account.Id}/alert-rules", new { largePurchaseThreshold = 1_000, fraudDeclineAlerts = true });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var authorization = await driver.AuthorizeAsync(card.Id, 3_000);
        await Poll.UntilAsync(() => StatusAsync(authorization.Id), status => status == "done");

        Assert.Equal("approved", authorization.Status);
        Assert.Equal(0L, await CountAsync("select count(*) from core.emails where deduplication_key = $1", $"transaction-alert:{authorization.Id}"));
    }

    [Fact]
    public async Task A_replayed_alert_work_item_does_not_mail_twice()
    {
        var (_, card, _) = await AccountWithCardAsync(threshold: 1_000);
        var authorization = await driver.AuthorizeAsync(card.Id, 1_500);
        await AlertAsync(authorization.Id);

        await CountAsync("update core.outbox set status = 'pending', next_attempt_at = now(), claimed_until = null where kind = 'email.transaction-alert' and subject_id = $1 returning 1", authorization.Id);
        await Poll.UntilAsync(() => StatusAsync(authorization.Id), status => status == "done");

        Assert.Equal(1L, await CountAsync("select count(*) from core.emails where deduplication_key = $1", $"transaction-alert:{authorization.Id}"));
    }

    /// <summary>
    /// An account held by a registered customer with a confirmed address, which Identity's <see cref="IAccountContacts"/>
    /// resolves (the account's owner is the customer's user id). The address is marked confirmed in the database: the
    /// confirmation flow is Identity's to test, the alert is what is tested here.
    /// </summary>
    private async Task<(AccountResponse Account, Platform.Api.Cards.CardResponse Card, string Email)> AccountWithCardAsync(long? threshold)
    {
        var email = $"holder.{Guid.NewGuid():N}@example.com";
        var registered = await fixture.Api.CreateContractClient().PostAsJsonAsync("/v1/auth/register", new { email, password = TestIdentity.CustomerPassword });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var userId = await ScalarAsync<string>("""update identity."AspNetUsers" set "EmailConfirmed" = true where "Email" = $1 returning "Id" """, email);
        var opened = await fixture.Client.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 100_000, ownerReference = userId });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var account = (await opened.Content.ReadFromJsonAsync<AccountResponse>(Json))!;
        if (threshold is { } t)
        {
            var put = await fixture.Client.PutAsJsonAsync($"/v1/accounts/{account.Id}/alert-rules", new { largePurchaseThreshold = t, fraudDeclineAlerts = true });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        return (account, await driver.IssueActiveCardAsync(account.Id), email);
    }

    private async Task<SunkEmail> AlertAsync(Guid authorizationId)
    {
        var location = await Poll.UntilAsync(
            () => ScalarAsync<string>("select location from core.emails where deduplication_key = $1 and status = 'sent'", $"transaction-alert:{authorizationId}"),
            l => l is not null);
        return await SunkEmail.ReadAsync(location!);
    }

    private Task<string?> StatusAsync(Guid authorizationId) =>
        ScalarAsync<string>("select status from core.outbox where kind = 'email.transaction-alert' and subject_id = $1", authorizationId);

    private async Task<long> CountAsync(string sql, params object[] parameters) => Convert.ToInt64(await ScalarAsync<object>(sql, parameters) ?? 0L);

    private async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
