using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Platform.Testing.Contracts;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Platform.Api.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class WebhookTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Redelivered_capture_webhook_is_applied_once()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 2_000);
        var capture = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture");
        await driver.SettledAsync(capture);
        var before = await driver.GetAccountAsync(account.Id);
        var webhook = await CaptureWebhookAsync(capture);

        // The processor sends it again, twice, and both deliveries succeed.
        var webhookId = webhook.GetProperty("webhookId").GetString();
        for (var redelivery = 1; redelivery <= 2; redelivery++)
        {
            (await fixture.ProcessorClient.PostAsync($"/processor/v1/webhooks/{webhookId}/replay", null)).EnsureSuccessStatusCode();
            var attempts = redelivery + 1;
            await Poll.UntilAsync(() => fixture.ProcessorClient.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000"),
                list => list.EnumerateArray().Single(w => w.GetProperty("webhookId").GetString() == webhookId) is var w
                        && w.GetProperty("status").GetString() == "delivered" && w.GetProperty("attempts").GetInt32() >= attempts);
        }

        Assert.Equal(before, await driver.GetAccountAsync(account.Id));
        Assert.Single((await driver.GetLedgerAsync(account.Id)).Items, e => e.Type == "purchase");
    }

    [Fact]
    public async Task Same_webhook_delivered_to_two_api_instances_at_once_is_applied_once()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 2_000);
        var capture = await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture");
        await driver.SettledAsync(capture);
        var webhook = await CaptureWebhookAsync(capture);
        var payload = webhook.GetProperty("payload");
        // The same event under a new id, as a processor might send after losing track of its first delivery.
        var body = JsonSerializer.Serialize(new { id = "evt_again_" + Guid.NewGuid().ToString("N"), type = "capture.succeeded", createdAt = DateTimeOffset.UtcNow, data = payload.GetProperty("data") });
        await using var secondInstance = await fixture.ApiHost().BuildAsync();
        var before = await driver.GetAccountAsync(account.Id);

        var responses = await Task.WhenAll(
            fixture.Client.SendAsync(Signed(body)), fixture.Client.SendAsync(Signed(body)), secondInstance.CreateContractClient().SendAsync(Signed(body)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(before, await driver.GetAccountAsync(account.Id));
        Assert.Single((await driver.GetLedgerAsync(account.Id)).Items, e => e.Type == "purchase");
    }

    [Theory]
    [InlineData("wrong-secret-wrong-secret-wrong", 0)]
    [InlineData(MoneyFixture.WebhookSecret, -3600)]
    public async Task Webhook_with_a_bad_signature_or_stale_timestamp_is_refused_and_changes_nothing(string secret, int ageSeconds)
    {
        var before = await driver.CountAsync("core.processed_webhooks");
        var body = JsonSerializer.Serialize(new { id = "evt_forged_" + Guid.NewGuid().ToString("N"), type = "card.activated", createdAt = DateTimeOffset.UtcNow, data = new { cardToken = "tok_x" } });

        var response = await fixture.Client.SendAsync(Signed(body, secret, DateTimeOffset.UtcNow.AddSeconds(ageSeconds)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await driver.CountAsync("core.processed_webhooks"));
    }

    [Fact]
    public async Task Card_events_out_of_order_never_move_a_card_backwards()
    {
        var account = await driver.OpenAccountAsync();
        var requested = await driver.SendAsync(HttpMethod.Post, $"/v1/accounts/{account.Id}/cards", new { type = "physical", cardholderName = "KATHERINE JOHNSON" });
        var card = (await requested.Content.ReadFromJsonAsync<Platform.Api.Cards.CardResponse>())!;
        // Physical cards ship and are delivered by later webhooks; the processor only sends them once told the delay is up.
        var pending = await Poll.UntilAsync(() => driver.GetCardAsync(card.Id), c => c.Status != "requested");
        var token = await TokenAsync(card.Id);
        var cardData = new { cardToken = token, type = "physical", status = "active", last4 = pending.Last4, expiryMonth = pending.ExpiryMonth, expiryYear = pending.ExpiryYear, createdAt = DateTimeOffset.UtcNow, updatedAt = DateTimeOffset.UtcNow };

        var delivered = await fixture.Client.SendAsync(Signed(JsonSerializer.Serialize(new { id = "evt_d_" + Guid.NewGuid().ToString("N"), type = "card.delivered", createdAt = DateTimeOffset.UtcNow, data = cardData })));
        var shippedLate = await fixture.Client.SendAsync(Signed(JsonSerializer.Serialize(new { id = "evt_s_" + Guid.NewGuid().ToString("N"), type = "card.shipped", createdAt = DateTimeOffset.UtcNow, data = cardData with { } })));

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shippedLate.StatusCode);
        Assert.Equal("active", (await driver.GetCardAsync(card.Id)).Status);
    }

    [Fact]
    public async Task Webhook_signed_by_the_processors_clock_is_accepted_while_the_platform_clock_runs_days_ahead()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var clock = new Statements.MovableClock();
        clock.MoveTo(DateTimeOffset.UtcNow.AddDays(8));
        // QA's test clock moved past hold expiry; no workers on this instance, so nothing else runs on the moved clock.
        await using var ahead = fixture.Api.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>();
            services.AddSingleton<TimeProvider>(clock);
        }));
        var token = await TokenAsync(card.Id);
        var body = JsonSerializer.Serialize(new { id = "evt_ahead_" + Guid.NewGuid().ToString("N"), type = "card.activated", createdAt = DateTimeOffset.UtcNow,
            data = new { cardToken = token, type = "virtual", status = "active", last4 = card.Last4, expiryMonth = card.ExpiryMonth, expiryYear = card.ExpiryYear,
                createdAt = DateTimeOffset.UtcNow, updatedAt = DateTimeOffset.UtcNow } });

        var response = await ahead.CreateClient().SendAsync(Signed(body, at: DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> CaptureWebhookAsync(Platform.Api.Authorizations.OperationResponse capture)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand("select processor_operation_id from core.card_operations where operation_id = $1", connection);
        command.Parameters.AddWithValue(capture.Id);
        var processorOperationId = (string)(await command.ExecuteScalarAsync())!;
        var webhooks = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000");
        return webhooks.EnumerateArray().Single(w => w.GetProperty("payload").GetProperty("data").GetProperty("operationId").GetString() == processorOperationId);
    }

    private async Task<string> TokenAsync(Guid cardId)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand("select processor_card_token from core.cards where card_id = $1", connection);
        command.Parameters.AddWithValue(cardId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static HttpRequestMessage Signed(string body, string secret = MoneyFixture.WebhookSecret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/processor") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Processor-Timestamp", timestamp);
        request.Headers.Add("X-Processor-Signature", signature);
        return request;
    }
}
