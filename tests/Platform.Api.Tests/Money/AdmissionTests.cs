using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Authorizations;

namespace Platform.Api.Tests.Money;

/// <summary>
/// Past an instance's in-flight limit (and its short wait for a slot) an authorization is declined 91 platform_busy, and that decline is a
/// decision like any other: recorded, replayed byte for byte under its key, audited once, no credit held, and never
/// sent to the processor — so there is nothing to reverse afterwards.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class AdmissionTests(MoneyFixture fixture) : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly MoneyDriver driver = new(fixture);
    // Tells this run's authorizations apart in processor-sim's records.
    private readonly string merchant = $"Busy Bakery {Guid.NewGuid().ToString("N")[..8]}";
    private ApiFactory limited = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        // Each authorization takes the processor 600 ms, so the first two hold both slots while the others arrive.
        await fixture.ResetProcessorAsync(new
        {
            approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0,
            latencyMs = new { min = 600, median = 600, p99 = 600 }, webhookDelayMs = 0, webhookFailureRate = 0.0,
        });
        limited = await fixture.ApiHost().With("Authorizations:MaxInFlight", "2").BuildAsync();
        client = await limited.CreateOperatorClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await limited.DisposeAsync();
        await fixture.ResetProcessorAsync();
    }

    private async Task<(string Key, HttpResponseMessage Response)> AuthorizeAsync(Guid cardId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations")
        {
            Content = JsonContent.Create(new { cardId, amount = 1_000, currency = "USD", merchant = new { name = merchant, mcc = "5462", country = "US" } }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return (key, await client.SendAsync(request));
    }

    [Fact]
    public async Task Authorizations_beyond_the_in_flight_limit_are_declined_busy_recorded_and_never_reach_the_processor()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 100_000);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => AuthorizeAsync(card.Id, $"admission-{Guid.NewGuid():N}")));

        var decided = new List<(string Key, string Body, AuthorizationResponse Answer)>();
        foreach (var (key, response) in answers)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            decided.Add((key, body, JsonSerializer.Deserialize<AuthorizationResponse>(body, Json)!));
        }
        var approved = decided.Where(d => d.Answer.Status == "approved").ToList();
        var busy = decided.Where(d => d.Answer.DeclineReason == DeclineReason.PlatformBusy.Code).ToList();
        Assert.InRange(approved.Count, 1, 2);
        Assert.Equal(decided.Count, approved.Count + busy.Count);
        Assert.NotEmpty(busy);

        foreach (var (key, body, answer) in busy)
        {
            Assert.Equal(("declined", "91", 0L), (answer.Status, answer.ResponseCode, answer.ApprovedAmount));
            Assert.Null(answer.Fraud);
            // The same key answers the same bytes, even now that the instance has room again.
            var (_, replay) = await AuthorizeAsync(card.Id, key);
            Assert.Equal(body, await replay.Content.ReadAsStringAsync());
            var stored = await driver.GetAuthorizationAsync(answer.Id);
            Assert.Equal(("declined", 0L, "91", DeclineReason.PlatformBusy.Code), (stored.Status, stored.HeldAmount, stored.ResponseCode, stored.DeclineReason));
        }

        // Only the approvals hold credit, and only they reached the processor.
        Assert.Equal(100_000 - 1_000 * approved.Count, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
        var atProcessor = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>("/processor/v1/authorizations?limit=1000");
        Assert.Equal(approved.Count, atProcessor.EnumerateArray().Count(a => a.GetRawText().Contains(merchant, StringComparison.Ordinal)));

        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var events = new Npgsql.NpgsqlCommand(
            "select count(*) from audit.events where resource_id = any($1) and event_type = 'authorization.declined'", connection);
        events.Parameters.AddWithValue(busy.Select(b => b.Answer.Id.ToString()).ToArray());
        Assert.Equal(busy.Count, (long)(await events.ExecuteScalarAsync())!);
    }
}
