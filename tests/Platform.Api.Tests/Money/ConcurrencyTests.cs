using Platform.Api.Authorizations;

namespace Platform.Api.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class ConcurrencyTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Hundred_concurrent_authorizations_on_one_card_never_exceed_its_limit()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 25_500);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => driver.AuthorizeAsync(card.Id, 1_000)));

        Assert.Equal(25, results.Count(r => r.Status == "approved"));
        Assert.Equal(75, results.Count(r => r is { Status: "declined", DeclineReason: "insufficient_credit" }));
        Assert.All(results, r => Assert.True(r.AvailableCredit >= 0));
        var after = await driver.GetAccountAsync(account.Id);
        Assert.Equal((25_000, 500), (after.HeldAmount, after.AvailableCredit));
        var ledger = await driver.GetLedgerAsync(account.Id, limit: 500);
        Assert.Equal(after.HeldAmount, ledger.Items.Where(e => e.Balance == "held").Sum(e => e.Amount));
    }

    [Fact]
    public async Task Concurrent_captures_of_one_authorization_cannot_capture_more_than_approved()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 3_000);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            driver.SendAsync(HttpMethod.Post, $"/v1/authorizations/{authorization.Id}/capture", new { amount = 1_000 })));

        Assert.Equal(3, attempts.Count(r => r.StatusCode == System.Net.HttpStatusCode.Accepted));
        Assert.Equal(7, attempts.Count(r => r.StatusCode == System.Net.HttpStatusCode.Conflict));
        var settled = await Poll.UntilAsync(() => driver.GetAuthorizationAsync(authorization.Id), a => a.Operations.All(o => o.Status == "succeeded") && a.Operations.Count == 3);
        Assert.Equal(3_000, settled.CapturedAmount);
        Assert.Equal(3_000, (await driver.GetAccountAsync(account.Id)).PostedBalance);
    }
}
