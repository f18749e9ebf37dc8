using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Accounts;
using Platform.Api.Authorizations;
using Platform.Api.Cards;

namespace Platform.Api.Tests.Money;

/// <summary>What a client of the public API does, step by step, for the money tests.</summary>
internal sealed class MoneyDriver(MoneyFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private HttpClient Client => fixture.Client;

    public async Task<AccountResponse> OpenAccountAsync(long creditLimit = 100_000)
    {
        var response = await Client.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AccountResponse>(Json))!;
    }

    /// <summary>Issues a virtual card and waits until the processor's webhook has made it active.</summary>
    public async Task<CardResponse> IssueActiveCardAsync(Guid accountId, string type = "virtual")
    {
        var requested = await SendAsync(HttpMethod.Post, $"/v1/accounts/{accountId}/cards", new { type, cardholderName = "ADA LOVELACE" });
        Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        var card = (await requested.Content.ReadFromJsonAsync<CardResponse>(Json))!;
        return await Poll.UntilAsync(() => GetCardAsync(card.Id), c => c.Status == "active");
    }

    public async Task<CardResponse> GetCardAsync(Guid cardId) => (await Client.GetFromJsonAsync<CardResponse>($"/v1/cards/{cardId}", Json))!;

    public async Task<HttpResponseMessage> AuthorizeRawAsync(Guid cardId, long amount, string? key = null, string merchant = "Corner Grocer") =>
        await SendAsync(HttpMethod.Post, "/v1/authorizations",
            new { cardId, amount, currency = "USD", merchant = new { name = merchant, mcc = "5411", country = "US" } }, key ?? Guid.NewGuid().ToString());

    public async Task<AuthorizationResponse> AuthorizeAsync(Guid cardId, long amount, string? key = null)
    {
        var response = await AuthorizeRawAsync(cardId, amount, key);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AuthorizationResponse>(Json))!;
    }

    public async Task<OperationResponse> RequestAsync(string path, long? amount = null, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        // No amount is no body: everything still capturable (or refundable), and a void takes none.
        var response = await SendAsync(HttpMethod.Post, path, amount is null ? null : new { amount }, Guid.NewGuid().ToString());
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return expected == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<OperationResponse>(Json))! : null!;
    }

    public async Task<AuthorizationDetails> GetAuthorizationAsync(Guid id) =>
        (await Client.GetFromJsonAsync<AuthorizationDetails>($"/v1/authorizations/{id}", Json))!;

    /// <summary>Waits until the operation has been settled by the processor's webhook.</summary>
    public async Task<OperationResponse> SettledAsync(OperationResponse operation)
    {
        var details = await Poll.UntilAsync(() => GetAuthorizationAsync(operation.AuthorizationId),
            a => a.Operations.Any(o => o.Id == operation.Id && o.Status is "succeeded" or "failed"));
        return details.Operations.Single(o => o.Id == operation.Id);
    }

    public async Task<AccountResponse> GetAccountAsync(Guid id) => (await Client.GetFromJsonAsync<AccountResponse>($"/v1/accounts/{id}", Json))!;

    public async Task<LedgerPage> GetLedgerAsync(Guid accountId, int limit = 100) =>
        (await Client.GetFromJsonAsync<LedgerPage>($"/v1/accounts/{accountId}/transactions?limit={limit}", Json))!;

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString());
        return await Client.SendAsync(request);
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select count(*) from {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
