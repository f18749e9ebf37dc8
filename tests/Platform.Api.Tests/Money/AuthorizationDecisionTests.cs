using Microsoft.AspNetCore.Hosting;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Authorizations;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class AuthorizationDecisionTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => fixture.ResetProcessorAsync();

    [Fact]
    public async Task Authorize_over_available_credit_is_declined_51_and_holds_nothing()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 3_000);
        var card = await driver.IssueActiveCardAsync(account.Id);

        var declined = await driver.AuthorizeAsync(card.Id, 3_001);

        Assert.Equal(("declined", "51", "insufficient_credit"), (declined.Status, declined.ResponseCode, declined.DeclineReason));
        Assert.Equal(3_000, declined.AvailableCredit);
        Assert.Empty((await driver.GetLedgerAsync(account.Id)).Items);
    }

    [Fact]
    public async Task Large_purchase_is_declined_59_when_the_fraud_check_cannot_vouch_for_it()
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);

        var declined = await driver.AuthorizeAsync(card.Id, 5_001);

        Assert.Equal(("declined", "59", "suspected_fraud"), (declined.Status, declined.ResponseCode, declined.DeclineReason));
        Assert.Equal(("unavailable", "decline"), (declined.Fraud!.Check, declined.Fraud.Action));
        var small = await driver.AuthorizeAsync(card.Id, 5_000);
        Assert.Equal("approved", small.Status);
    }

    [Fact]
    public async Task Processor_decline_code_is_passed_on_and_the_hold_released()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 200_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        await fixture.ResetProcessorAsync(new { approvalRate = 0.0, declineCodes = new Dictionary<string, double> { ["05"] = 1 }, latencyMs = new { min = 0, median = 0, p99 = 0 } });

        var declined = await driver.AuthorizeAsync(card.Id, 2_000);

        Assert.Equal(("declined", "05", "processor_declined"), (declined.Status, declined.ResponseCode, declined.DeclineReason));
        var after = await driver.GetAccountAsync(account.Id);
        Assert.Equal((0, 200_000), (after.HeldAmount, after.AvailableCredit));
        Assert.Equal(["hold_release", "hold"], (await driver.GetLedgerAsync(account.Id)).Items.Select(e => e.Type));
    }

    [Fact]
    public async Task Processor_answer_after_the_budget_is_declined_91_then_reversed_at_the_processor()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync(creditLimit: 20_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        // Slower than the API's budget: the processor approves, but only after the API has answered.
        await fixture.ResetProcessorAsync(new { approvalRate = 1.0, partialApprovalRate = 0.0, latencyMs = new { min = 2_500, median = 2_500, p99 = 2_500 }, webhookDelayMs = 0 });

        var declined = await driver.AuthorizeAsync(card.Id, 4_321);

        Assert.Equal(("declined", "91", "processor_unavailable"), (declined.Status, declined.ResponseCode, declined.DeclineReason));
        Assert.Equal(20_000, declined.AvailableCredit);
        var reversed = await Poll.UntilAsync(() => driver.GetAuthorizationAsync(declined.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"), timeoutMs: 30_000);
        Assert.Equal(4_321, reversed.Operations.Single().Amount);

        var processorRecords = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations?limit=1000&from={Uri.EscapeDataString(from.ToString("O"))}");
        var late = processorRecords.EnumerateArray().Single(r => r.GetProperty("amount").GetInt64() == 4_321);
        Assert.True(late.GetProperty("approved").GetBoolean());
        Assert.Equal("voided", late.GetProperty("status").GetString());
        Assert.Equal(20_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);

        var report = await fixture.Client.GetFromJsonAsync<Platform.Api.Reconciliation.ReconciliationReport>(
            $"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}");
        Assert.True(report!.Matched, string.Join("\n", report.Differences.Select(d => $"{d.Kind}: {d.Detail}")));
    }

    [Fact]
    public async Task Processor_500_is_declined_91_and_reversed_since_the_processor_may_have_acted()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync(creditLimit: 20_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        // A 500 can come after the processor recorded an approval; only a 503 says it did not take the request.
        await fixture.ResetProcessorAsync(new { approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 1.0, errorStatusCode = 500, latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0 });

        var declined = await driver.AuthorizeAsync(card.Id, 4_444);

        Assert.Equal(("declined", "91"), (declined.Status, declined.ResponseCode));
        Assert.Equal(1, await driver.CountAsync($"core.outbox where kind = 'authorization.reversal' and subject_id = '{declined.Id}'"));
        await fixture.ResetProcessorAsync();
        // Asked again with its key, the processor decides now (approves): the reversal voids that approval.
        await Poll.UntilAsync(() => driver.GetAuthorizationAsync(declined.Id), a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"), timeoutMs: 30_000);
        var records = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations?limit=1000&from={Uri.EscapeDataString(from.ToString("O"))}");
        Assert.Equal("voided", records.EnumerateArray().Single(r => r.GetProperty("amount").GetInt64() == 4_444).GetProperty("status").GetString());
        Assert.Equal(20_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
    }

    [Fact]
    public async Task Processor_503_is_declined_91_with_nothing_to_reverse()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 20_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        await fixture.ResetProcessorAsync(new { approvalRate = 1.0, errorRate = 1.0, errorStatusCode = 503, latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0 });

        var declined = await driver.AuthorizeAsync(card.Id, 4_445);

        Assert.Equal(("declined", "91"), (declined.Status, declined.ResponseCode));
        Assert.Equal(0, await driver.CountAsync($"core.outbox where kind = 'authorization.reversal' and subject_id = '{declined.Id}'"));
    }

    [Fact]
    public async Task With_too_little_budget_left_the_processor_is_not_asked_and_nothing_needs_reversing()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        // An instance whose whole budget is below the minimum it will spend on the processor: every call is starved.
        await using var starved = fixture.Api.WithWebHostBuilder(builder => builder
            .UseSetting("Authorizations:BudgetMs", "1000").UseSetting("Authorizations:MinimumProcessorBudgetMs", "1000"));
        var client = await starved.CreateOperatorClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations")
        {
            Content = JsonContent.Create(new { cardId = card.Id, amount = 1_234, currency = "USD", merchant = new { name = "Starved Shop", mcc = "5411", country = "US" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var declined = await (await client.SendAsync(request)).Content.ReadFromJsonAsync<AuthorizationResponse>();

        Assert.Equal(("declined", "91"), (declined!.Status, declined.ResponseCode));
        Assert.Equal(10_000, declined.AvailableCredit);
        Assert.Equal(0, await driver.CountAsync($"core.outbox where kind = 'authorization.reversal' and subject_id = '{declined.Id}'"));
        var atProcessor = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>("/processor/v1/authorizations?limit=1000");
        Assert.DoesNotContain(atProcessor.EnumerateArray(), r => r.GetProperty("amount").GetInt64() == 1_234);
    }

    [Fact]
    public async Task Card_not_yet_active_is_declined_62()
    {
        var account = await driver.OpenAccountAsync();
        var requested = await driver.SendAsync(HttpMethod.Post, $"/v1/accounts/{account.Id}/cards", new { type = "physical", cardholderName = "GRACE HOPPER" });
        var card = (await requested.Content.ReadFromJsonAsync<Platform.Api.Cards.CardResponse>())!;

        var declined = await driver.AuthorizeAsync(card.Id, 100);

        Assert.Equal(("declined", "62", "card_not_active"), (declined.Status, declined.ResponseCode, declined.DeclineReason));
    }

    [Fact]
    public async Task Same_key_and_body_replays_the_first_answer_and_a_different_body_is_refused()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        var key = Guid.NewGuid().ToString();

        var first = await driver.AuthorizeAsync(card.Id, 1_000, key);
        var again = await driver.AuthorizeRawAsync(card.Id, 1_000, key);
        var other = await driver.AuthorizeRawAsync(card.Id, 1_001, key);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first, await again.Content.ReadFromJsonAsync<AuthorizationResponse>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(9_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
    }

    [Theory]
    [InlineData("""{"amount":100,"currency":"USD","merchant":{"name":"A","mcc":"5411","country":"US"}}""", "cardId")]
    [InlineData("""{"cardId":"CARD","amount":0,"currency":"USD","merchant":{"name":"A","mcc":"5411","country":"US"}}""", "amount")]
    [InlineData("""{"cardId":"CARD","amount":100,"currency":"usd","merchant":{"name":"A","mcc":"5411","country":"US"}}""", "currency")]
    [InlineData("""{"cardId":"CARD","amount":100,"currency":"EUR","merchant":{"name":"A","mcc":"5411","country":"US"}}""", "currency")]
    [InlineData("""{"cardId":"CARD","amount":100,"currency":"USD","merchant":{"name":"A","mcc":"54","country":"US"}}""", "merchant.mcc")]
    [InlineData("""{"cardId":"CARD","amount":100,"currency":"USD"}""", "merchant")]
    [InlineData("""{"cardId":"CARD","amount":100,"currency":"USD","merchant":{"name":"A","mcc":"5411","country":"US"},"channel":"carrier-pigeon"}""", "channel")]
    public async Task Bad_authorization_request_is_a_400_naming_the_field_and_writes_nothing(string body, string field)
    {
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var before = (await driver.CountAsync("core.authorizations"), await driver.CountAsync("core.idempotency_keys"), await driver.CountAsync("core.ledger_postings"));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations") { Content = new StringContent(body.Replace("CARD", card.Id.ToString()), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await fixture.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, (await driver.CountAsync("core.authorizations"), await driver.CountAsync("core.idempotency_keys"), await driver.CountAsync("core.ledger_postings")));
    }

    [Fact]
    public async Task Authorization_without_idempotency_key_or_for_an_unknown_card_changes_nothing()
    {
        using var badInput = ContractValidation.AllowInvalidRequests();
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var before = await driver.CountAsync("core.authorizations");

        var noKey = await fixture.Client.PostAsJsonAsync("/v1/authorizations", new { cardId = card.Id, amount = 100, currency = "USD", merchant = new { name = "A", mcc = "5411", country = "US" } });
        var unknown = await driver.AuthorizeRawAsync(Guid.NewGuid(), 100);

        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(before, await driver.CountAsync("core.authorizations"));
    }
}
