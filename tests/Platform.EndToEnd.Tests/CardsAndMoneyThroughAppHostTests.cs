using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;

namespace Platform.EndToEnd.Tests;

/// <summary>A card's life through the running platform (two API replicas): issue, authorize, capture, refund, ledger, and the ways it says no.</summary>
[Collection(PlatformAppCollection.Name)]
public sealed class CardsAndMoneyThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private readonly HttpClient simControl = platform.CreateSimControlClient();
    private readonly HttpClient api = platform.OperatorApi;

    public Task InitializeAsync() => SetProcessorAsync(new { approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0, latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0 });

    public async Task DisposeAsync() => (await simControl.PostAsync("/sim/v1/reset", null)).EnsureSuccessStatusCode();

    [Fact]
    public async Task Issue_authorize_capture_refund_and_read_the_ledger_with_replays_and_duplicate_webhooks_harmless()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await OpenAccountAsync(50_000);
        var card = await IssueActiveCardAsync(account);
        var key = Guid.NewGuid().ToString();

        var authorization = await AuthorizeAsync(card, 2_500, key);
        Assert.Equal("approved", authorization.GetProperty("status").GetString());
        var replay = await SendAsync("/v1/authorizations", AuthorizeBody(card, 2_500), key);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var authorizationId = authorization.GetProperty("id").GetString();

        var capture = await AcceptedAsync($"/v1/authorizations/{authorizationId}/capture", new { });
        await SettledAsync(authorizationId!, capture);
        var refund = await AcceptedAsync($"/v1/transactions/{capture}/refund", new { amount = 1_000 });
        await SettledAsync(authorizationId!, refund);

        // The processor delivers the capture's webhook again: nothing moves twice.
        var webhooks = await simControl.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000");
        // Tests in this collection run one at a time: the only 2,500 capture since this test began is ours.
        var captureWebhook = webhooks.EnumerateArray().First(w => w.GetProperty("status").GetString() == "delivered"
            && w.GetProperty("createdAt").GetDateTimeOffset() >= from && w.GetProperty("payload").GetProperty("data").GetProperty("amount").GetInt64() == 2_500);
        (await simControl.PostAsync($"/processor/v1/webhooks/{captureWebhook.GetProperty("webhookId").GetString()}/replay", null)).EnsureSuccessStatusCode();
        await Poll(async () => (await simControl.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?type=capture.succeeded&limit=1000")).EnumerateArray()
            .Single(w => w.GetProperty("webhookId").GetString() == captureWebhook.GetProperty("webhookId").GetString()) is var w
            && w.GetProperty("status").GetString() == "delivered" && w.GetProperty("attempts").GetInt32() >= 2);

        var after = await api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account}");
        Assert.Equal(1_500, after.GetProperty("postedBalance").GetInt64());
        Assert.Equal(48_500, after.GetProperty("availableCredit").GetInt64());
        var ledger = await api.GetFromJsonAsync<JsonElement>($"/v1/accounts/{account}/transactions");
        Assert.Equal(["refund", "purchase", "hold_release", "hold"], ledger.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()));

        var report = await api.GetFromJsonAsync<JsonElement>($"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}");
        Assert.True(report.GetProperty("matched").GetBoolean(), report.ToString());
        var audit = await api.GetFromJsonAsync<JsonElement>($"/v1/audit/events?resourceType=authorization&resourceId={authorizationId}");
        var types = audit.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("eventType").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "authorization.approved", "capture.requested", "capture.settled", "refund.requested", "refund.settled" }, types);
    }

    [Fact]
    public async Task Over_limit_processor_decline_and_processor_timeout_each_decline_with_their_code()
    {
        var account = await OpenAccountAsync(3_000);
        var card = await IssueActiveCardAsync(account);

        Assert.Equal("51", (await AuthorizeAsync(card, 3_500)).GetProperty("responseCode").GetString());

        await SetProcessorAsync(new { approvalRate = 0.0, declineCodes = new Dictionary<string, double> { ["05"] = 1 } });
        var processorDecline = await AuthorizeAsync(card, 1_000);
        Assert.Equal(("05", "processor_declined"), (processorDecline.GetProperty("responseCode").GetString(), processorDecline.GetProperty("declineReason").GetString()));

        await SetProcessorAsync(new { approvalRate = 1.0, latencyMs = new { min = 3_000, median = 3_000, p99 = 3_000 } });
        var timedOut = await AuthorizeAsync(card, 1_000);
        Assert.Equal(("91", "processor_unavailable"), (timedOut.GetProperty("responseCode").GetString(), timedOut.GetProperty("declineReason").GetString()));
        Assert.Equal(3_000, timedOut.GetProperty("availableCredit").GetInt64());
        // The processor approved it after the platform gave up: the platform reverses it.
        await Poll(async () => (await api.GetFromJsonAsync<JsonElement>($"/v1/authorizations/{timedOut.GetProperty("id").GetString()}"))
            .GetProperty("operations").EnumerateArray().Any(o => o.GetProperty("kind").GetString() == "reversal" && o.GetProperty("status").GetString() == "succeeded"), 60);
    }

    [Fact]
    public async Task Card_testing_burst_is_declined_by_the_fraud_model()
    {
        var account = await OpenAccountAsync(1_000_000);
        var card = await IssueActiveCardAsync(account);

        var decisions = new List<JsonElement>();
        for (var i = 0; i < 25; i++)
            decisions.Add(await AuthorizeAsync(card, 100 + i * 13, merchant: ("Pixel Keys", "5816", "US"), channel: "ecommerce"));
        for (var i = 0; i < 3; i++)
            decisions.Add(await AuthorizeAsync(card, 90_000 + i, merchant: ("Gadget Outlet", "5732", "US"), channel: "ecommerce"));

        Assert.Contains(decisions, d => d.GetProperty("declineReason").GetString() == "suspected_fraud"
            && d.GetProperty("responseCode").GetString() == "59" && d.GetProperty("fraud").GetProperty("check").GetString() == "completed");
    }

    private async Task SetProcessorAsync(object settings)
    {
        var response = await simControl.PutAsJsonAsync("/sim/v1/processor/settings", settings);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> OpenAccountAsync(long creditLimit)
    {
        var response = await api.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string> IssueActiveCardAsync(string account)
    {
        var response = await SendAsync($"/v1/accounts/{account}/cards", new { type = "virtual", cardholderName = "ADA LOVELACE" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var card = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Poll(async () => (await api.GetFromJsonAsync<JsonElement>($"/v1/cards/{card}")).GetProperty("status").GetString() == "active");
        return card;
    }

    private static object AuthorizeBody(string card, long amount, (string Name, string Mcc, string Country)? merchant = null, string channel = "pos")
    {
        var m = merchant ?? ("Corner Grocer", "5411", "US");
        return new { cardId = card, amount, currency = "USD", merchant = new { name = m.Name, mcc = m.Mcc, country = m.Country }, channel };
    }

    private async Task<JsonElement> AuthorizeAsync(string card, long amount, string? key = null, (string, string, string)? merchant = null, string channel = "pos")
    {
        var response = await SendAsync("/v1/authorizations", AuthorizeBody(card, amount, merchant, channel), key);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> AcceptedAsync(string path, object body)
    {
        var response = await SendAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task SettledAsync(string authorizationId, string operationId) =>
        Poll(async () => (await api.GetFromJsonAsync<JsonElement>($"/v1/authorizations/{authorizationId}")).GetProperty("operations").EnumerateArray()
            .Any(o => o.GetProperty("id").GetString() == operationId && o.GetProperty("status").GetString() == "succeeded"));

    private async Task<HttpResponseMessage> SendAsync(string path, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await api.SendAsync(request);
    }

    private static async Task Poll(Func<Task<bool>> done, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The platform did not get there in time.");
            await Task.Delay(50);
        }
    }
}
