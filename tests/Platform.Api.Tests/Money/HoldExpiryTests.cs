using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Api.Authorizations;

namespace Platform.Api.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class HoldExpiryTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Hold_never_captured_is_released_at_expiry_and_voided_at_the_processor()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 4_000);
        await using (var connection = await fixture.OpenApiDatabaseAsync())
        await using (var age = new Npgsql.NpgsqlCommand("update core.authorizations set expires_at = now() - interval '1 second' where authorization_id = $1", connection))
        {
            // Stands in for the configured days passing.
            age.Parameters.AddWithValue(authorization.Id);
            await age.ExecuteNonQueryAsync();
        }

        var sweeper = fixture.Api.Services.GetServices<IHostedService>().OfType<HoldSweeper>().Single();
        await sweeper.ExpireHoldsAsync(CancellationToken.None);

        Assert.Equal(10_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
        var expired = await Poll.UntilAsync(() => driver.GetAuthorizationAsync(authorization.Id), a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"));
        Assert.Equal(("expired", 0L), (expired.Status, expired.HeldAmount));
        await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture", null, System.Net.HttpStatusCode.Conflict);
    }
}
