using System.Net;
using System.Net.Http.Json;

namespace Platform.Api.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class CardLifecycleTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Issued_card_keeps_token_last_four_and_expiry_but_never_the_number()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);

        Assert.Matches("^[0-9]{4}$", card.Last4);
        Assert.NotNull(card.ExpiryYear);
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand("select row_to_json(c)::text from core.cards c where card_id = $1", connection);
        command.Parameters.AddWithValue(card.Id);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        // A card number stands alone; the processor's token is hex, and a run of 13 digits inside it is chance (it happened).
        Assert.DoesNotMatch("(?<![0-9a-fA-F])[0-9]{13,19}(?![0-9a-fA-F])", stored);
        Assert.Contains("\"processor_card_token\"", stored);
    }

    [Fact]
    public async Task Authorize_capture_refund_moves_money_through_holds_and_postings()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 50_000);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var authorization = await driver.AuthorizeAsync(card.Id, 4_000);
        Assert.Equal("approved", authorization.Status);
        Assert.Equal("00", authorization.ResponseCode);
        Assert.Equal(46_000, authorization.AvailableCredit);

        var capture = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", 3_000);
        Assert.Equal("succeeded", (await driver.SettledAsync(capture)).Status);
        var afterCapture = await driver.GetAccountAsync(account.Id);
        Assert.Equal(3_000, afterCapture.PostedBalance);
        Assert.Equal(1_000, afterCapture.HeldAmount);

        var refund = await driver.RequestAsync($"/v1/transactions/{capture.Id}/refund", 1_200);
        Assert.Equal("succeeded", (await driver.SettledAsync(refund)).Status);
        var afterRefund = await driver.GetAccountAsync(account.Id);
        Assert.Equal(1_800, afterRefund.PostedBalance);
        Assert.Equal(50_000 - 1_000 - 1_800, afterRefund.AvailableCredit);

        var ledger = await driver.GetLedgerAsync(account.Id);
        Assert.Equal(["refund", "purchase", "hold_release", "hold"], ledger.Items.Select(e => e.Type));
        Assert.Equal(afterRefund.PostedBalance, ledger.Items.Where(e => e.Balance == "posted").Sum(e => e.Amount));
        Assert.Equal(afterRefund.HeldAmount, ledger.Items.Where(e => e.Balance == "held").Sum(e => e.Amount));
        Assert.Equal(capture.Id, ledger.Items.Single(e => e.Type == "purchase").TransactionId);
    }

    [Fact]
    public async Task Void_releases_the_hold_once_the_processor_confirms()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 2_500);

        var voided = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/void");
        Assert.Equal("succeeded", (await driver.SettledAsync(voided)).Status);

        var details = await driver.GetAuthorizationAsync(authorization.Id);
        Assert.Equal("voided", details.Status);
        Assert.Equal(10_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
        await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", null, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Captures_and_refunds_never_exceed_what_was_approved_or_captured()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 3_000);

        var first = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", 2_000);
        await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", 1_001, HttpStatusCode.Conflict);
        var second = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", 1_000);
        await driver.SettledAsync(first);
        await driver.SettledAsync(second);
        await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/void", null, HttpStatusCode.Conflict);

        await driver.RequestAsync($"/v1/transactions/{first.Id}/refund", 2_001, HttpStatusCode.Conflict);
        var refund = await driver.RequestAsync($"/v1/transactions/{first.Id}/refund");
        Assert.Equal(2_000, refund.Amount);
        await driver.SettledAsync(refund);
        await driver.RequestAsync($"/v1/transactions/{first.Id}/refund", 1, HttpStatusCode.Conflict);

        var account2 = await driver.GetAccountAsync(account.Id);
        Assert.Equal(1_000, account2.PostedBalance);
        Assert.Equal(0, account2.HeldAmount);
    }

    [Fact]
    public async Task Reconciliation_finds_no_difference_after_a_full_lifecycle()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 1_500);
        var capture = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture");
        await driver.SettledAsync(capture);
        await driver.SettledAsync(await driver.RequestAsync($"/v1/transactions/{capture.Id}/refund", 500));
        var voided = await driver.AuthorizeAsync(card.Id, 700);
        await driver.SettledAsync(await driver.RequestAsync($"/v1/authorizations/{voided.Id}/void"));

        var report = await fixture.Client.GetFromJsonAsync<Platform.Api.Reconciliation.ReconciliationReport>(
            $"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}");

        Assert.NotNull(report);
        Assert.True(report.Matched, string.Join("\n", report.Differences.Select(d => $"{d.Kind}: {d.Detail} ({d.Platform} / {d.Processor})")));
        Assert.True(report.PlatformAuthorizations >= 2);
    }
}
