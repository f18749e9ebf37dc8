using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Authorizations;

namespace Platform.Api.Tests.Money;

/// <summary>
/// A burst is not an overload: an authorization that finds every slot taken waits a moment for one, and is served when
/// one frees in time instead of being declined busy.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class AdmissionWaitTests(MoneyFixture fixture) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly MoneyDriver driver = new(fixture);
    private ApiFactory oneSlot = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        await fixture.ResetProcessorAsync(new
        {
            approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0,
            latencyMs = new { min = 200, median = 200, p99 = 200 }, webhookDelayMs = 0, webhookFailureRate = 0.0,
        });
        // One slot, and room to wait for it well beyond the processor's 200 ms.
        oneSlot = await fixture.ApiHost().With("Authorizations:MaxInFlight", "1").With("Authorizations:AdmissionWaitMs", "1000").BuildAsync();
        client = await oneSlot.CreateOperatorClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await oneSlot.DisposeAsync();
        await fixture.ResetProcessorAsync();
    }

    [Fact]
    public async Task An_authorization_arriving_while_the_only_slot_is_taken_waits_for_it_and_is_approved()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 100_000);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations")
            {
                Content = JsonContent.Create(new { cardId = card.Id, amount = 1_000, currency = "USD", merchant = new { name = "Queue Cafe", mcc = "5814", country = "US" } }),
            };
            request.Headers.Add("Idempotency-Key", $"wait-{Guid.NewGuid():N}");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonSerializer.Deserialize<AuthorizationResponse>(await response.Content.ReadAsStringAsync(), Json)!;
        }));

        Assert.All(answers, a => Assert.Equal(("approved", "00"), (a.Status, a.ResponseCode)));
        Assert.Equal(100_000 - 2 * 1_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
    }
}
