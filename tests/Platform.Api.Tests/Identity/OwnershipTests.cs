using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Tests.Money;

namespace Platform.Api.Tests.Identity;

/// <summary>Customer A against customer B's data, through every endpoint that takes an id: always a 404, never a hint.</summary>
[Collection(MoneyCollection.Name)]
public sealed class OwnershipTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver operatorDriver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_customer_cannot_read_or_act_on_another_customers_data_through_any_endpoint()
    {
        var (alice, aliceId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var (bob, bobId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var bobs = await BobsThingsAsync(bobId, bob);
        var aliceAccount = await OpenAccountForAsync(aliceId);

        var attempts = new (string What, Func<Task<HttpResponseMessage>> Call)[]
        {
            ("GET account", () => alice.GetAsync($"/v1/accounts/{bobs.Account}")),
            ("GET transactions", () => alice.GetAsync($"/v1/accounts/{bobs.Account}/transactions")),
            ("GET statements", () => alice.GetAsync($"/v1/accounts/{bobs.Account}/statements")),
            ("GET statement PDF", () => alice.GetAsync($"/v1/accounts/{bobs.Account}/statements/2030-01")),
            ("POST card", () => Send(alice, $"/v1/accounts/{bobs.Account}/cards", new { type = "virtual", cardholderName = "ALICE" })),
            ("GET card", () => alice.GetAsync($"/v1/cards/{bobs.Card}")),
            ("POST authorization", () => Send(alice, "/v1/authorizations", new { cardId = bobs.Card, amount = 100, currency = "USD", merchant = new { name = "A", mcc = "5411", country = "US" } })),
            ("GET authorization", () => alice.GetAsync($"/v1/authorizations/{bobs.Authorization}")),
            ("POST capture", () => Send(alice, $"/v1/authorizations/{bobs.Authorization}/capture", new { })),
            ("POST void", () => Send(alice, $"/v1/authorizations/{bobs.Authorization}/void", null)),
            ("POST refund", () => Send(alice, $"/v1/transactions/{bobs.Transaction}/refund", new { })),
            ("GET application", () => alice.GetAsync($"/v1/applications/{bobs.Application}")),
        };
        foreach (var (what, call) in attempts)
        {
            var response = await call();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Operator-only endpoints are forbidden outright; her own account is hers.
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/v1/audit/events")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/v1/reconciliation/processor")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"/v1/applications/{bobs.Application}/applicant")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/accounts/{aliceAccount}")).StatusCode);
        // Nothing Alice tried changed Bob's account.
        var bobsAccount = await bob.GetFromJsonAsync<JsonElement>($"/v1/accounts/{bobs.Account}");
        Assert.Equal(1_000, bobsAccount.GetProperty("postedBalance").GetInt64());
        Assert.Equal(0, bobsAccount.GetProperty("heldAmount").GetInt64());
    }

    [Fact]
    public async Task A_customer_acts_on_their_own_card_end_to_end()
    {
        var (carol, carolId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var account = await OpenAccountForAsync(carolId);
        var cardResponse = await Send(carol, $"/v1/accounts/{account}/cards", new { type = "virtual", cardholderName = "CAROL" });
        Assert.Equal(HttpStatusCode.Accepted, cardResponse.StatusCode);
        var card = (await cardResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Poll.UntilAsync(() => carol.GetFromJsonAsync<JsonElement>($"/v1/cards/{card}"), c => c.GetProperty("status").GetString() == "active");

        var authorized = await Send(carol, "/v1/authorizations", new { cardId = card, amount = 900, currency = "USD", merchant = new { name = "Bakery", mcc = "5462", country = "US" } });

        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Equal("approved", (await authorized.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_idempotency_key_is_the_callers_own_so_two_customers_may_pick_the_same_one()
    {
        var (dan, danId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var (erin, erinId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var dansCard = await operatorDriver.IssueActiveCardAsync(await OpenAccountForAsync(danId));
        var erinsCard = await operatorDriver.IssueActiveCardAsync(await OpenAccountForAsync(erinId));
        var sharedKey = "order-1001";

        using var dans = await Send(dan, "/v1/authorizations", new { cardId = dansCard.Id, amount = 700, currency = "USD", merchant = new { name = "Bakery", mcc = "5462", country = "US" } }, sharedKey);
        using var erins = await Send(erin, "/v1/authorizations", new { cardId = erinsCard.Id, amount = 800, currency = "USD", merchant = new { name = "Books", mcc = "5942", country = "US" } }, sharedKey);
        using var dansAgain = await Send(dan, "/v1/authorizations", new { cardId = dansCard.Id, amount = 700, currency = "USD", merchant = new { name = "Bakery", mcc = "5462", country = "US" } }, sharedKey);

        Assert.Equal(HttpStatusCode.OK, dans.StatusCode);
        Assert.Equal(HttpStatusCode.OK, erins.StatusCode);
        var danAnswer = await dans.Content.ReadAsStringAsync();
        Assert.NotEqual(JsonDocument.Parse(danAnswer).RootElement.GetProperty("id").GetGuid(), (await erins.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        // Dan's replay is his own first answer, byte for byte.
        Assert.Equal("true", dansAgain.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(danAnswer, await dansAgain.Content.ReadAsStringAsync());
    }

    private sealed record Things(Guid Account, Guid Card, Guid Authorization, Guid Transaction, Guid Application);

    /// <summary>Bob's account (opened by an operator), card, a captured purchase, and an application he made himself.</summary>
    private async Task<Things> BobsThingsAsync(string bobId, HttpClient bob)
    {
        var account = await OpenAccountForAsync(bobId);
        var card = await operatorDriver.IssueActiveCardAsync(account);
        var authorization = await operatorDriver.AuthorizeAsync(card.Id, 1_000);
        var capture = await operatorDriver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture");
        await operatorDriver.SettledAsync(capture);
        var applied = await Send(bob, "/v1/applications", new
        {
            firstName = "Bob", lastName = "Builder", dateOfBirth = "1980-02-03", ssn = "123-45-6789",
            address = new { line1 = "1 Main St", city = "Springfield", state = "IL", postalCode = "62701" },
            email = "bob@example.com", phone = "+15555550123", annualIncome = 8_000_000, monthlyHousingCost = 120_000, currency = "USD",
        });
        Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync());
        var application = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return new Things(account, card.Id, authorization.Id, capture.Id, application);
    }

    private async Task<Guid> OpenAccountForAsync(string userId)
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 50_000, ownerReference = userId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }
}
