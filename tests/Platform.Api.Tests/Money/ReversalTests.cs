using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Api.Audit;
using Platform.Api.Authorizations;
using Platform.Api.Reconciliation;

namespace Platform.Api.Tests.Money;

/// <summary>
/// A reversal (the void of a late approval, or of an expired hold) is finished only when the processor confirms the
/// void: a void the processor accepts and then refuses to complete is tried again, and the audit trail says
/// "reversed" only once it is.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class ReversalTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => fixture.ResetProcessorAsync();

    [Fact]
    public async Task Late_approval_whose_void_the_processor_refuses_is_voided_again_until_it_settles()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync(creditLimit: 20_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        // The processor approves after the API gave up, then refuses to complete the void that should undo it.
        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 2_500, voidCompletionRate: 0.0));

        var declined = await driver.AuthorizeAsync(card.Id, 4_567);

        Assert.Equal(("declined", "91"), (declined.Status, declined.ResponseCode));
        await Poll.UntilAsync(() => driver.GetAuthorizationAsync(declined.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "failed"), timeoutMs: 30_000);
        Assert.DoesNotContain(await ReversalOutcomesAsync(declined.Id), o => o.Outcome == "late approval reversed");

        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 0, voidCompletionRate: 1.0));

        var reversed = await Poll.UntilAsync(() => driver.GetAuthorizationAsync(declined.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"), timeoutMs: 30_000);
        Assert.True(reversed.Operations.Count(o => o.Kind == "reversal") >= 2, "the refused void was followed by another attempt");
        Assert.Equal(("declined", 0L), (reversed.Status, reversed.HeldAmount));
        Assert.Equal("voided", (await ProcessorRecordAsync(from, 4_567)).GetProperty("status").GetString());
        var outcomes = await ReversalOutcomesAsync(declined.Id);
        var settled = Assert.Single(outcomes, o => o.Outcome == "late approval reversed");
        Assert.Contains(outcomes, o => o.EventType == "reversal.failed" && o.Sequence < settled.Sequence);
        Assert.Equal(20_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
        await AssertReconciledAsync(from);
    }

    [Fact]
    public async Task Expired_hold_whose_void_the_processor_refuses_is_voided_again_until_it_settles()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 0, voidCompletionRate: 0.0));
        var authorization = await driver.AuthorizeAsync(card.Id, 4_321);
        await AgeHoldAsync(authorization.Id);

        await fixture.Api.Services.GetServices<IHostedService>().OfType<HoldSweeper>().Single().ExpireHoldsAsync(CancellationToken.None);

        await Poll.UntilAsync(() => driver.GetAuthorizationAsync(authorization.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "failed"), timeoutMs: 30_000);
        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 0, voidCompletionRate: 1.0));
        var expired = await Poll.UntilAsync(() => driver.GetAuthorizationAsync(authorization.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"), timeoutMs: 30_000);
        Assert.Equal(("expired", 0L), (expired.Status, expired.HeldAmount));
        Assert.Equal("voided", (await ProcessorRecordAsync(from, 4_321)).GetProperty("status").GetString());
        Assert.Equal(10_000, (await driver.GetAccountAsync(account.Id)).AvailableCredit);
        await AssertReconciledAsync(from);
    }

    [Fact]
    public async Task Reversal_refused_on_every_attempt_waits_in_the_operator_queue_until_an_operator_retries_it()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var account = await driver.OpenAccountAsync(creditLimit: 20_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 2_500, voidCompletionRate: 0.0));

        var declined = await driver.AuthorizeAsync(card.Id, 4_568);

        // The fixture allows 3 attempts.
        var queue = await Poll.UntilAsync(() => fixture.Client.GetFromJsonAsync<List<OpenReversal>>("/v1/reconciliation/reversals"),
            q => q!.Any(r => r.AuthorizationId == declined.Id && r.State == "needs_attention"), timeoutMs: 30_000);
        var waiting = queue!.Single(r => r.AuthorizationId == declined.Id);
        Assert.Equal((3, 4_568L, "declined"), (waiting.Attempts, waiting.Amount, waiting.AuthorizationStatus));
        Assert.Equal("void_rejected", waiting.LastFailure);
        var report = await ReconcileAsync(from);
        Assert.Contains(report.Differences, d => d.Kind == "reversal_needs_attention" && d.AuthorizationId == declined.Id);
        var monitor = fixture.Api.Services.GetServices<IHostedService>().OfType<ReversalMonitor>().Single();
        Assert.True(await monitor.CountAsync(CancellationToken.None) >= 1);
        var health = await fixture.Client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("reversals").GetString());
        Assert.Contains(await ReversalOutcomesAsync(declined.Id), o => o.EventType == "reversal.needs_attention");
        Assert.DoesNotContain(await ReversalOutcomesAsync(declined.Id), o => o.Outcome == "late approval reversed");

        await fixture.ResetProcessorAsync(ProcessorSettings(authorizeLatencyMs: 0, voidCompletionRate: 1.0));
        var retry = await fixture.Client.PostAsync($"/v1/reconciliation/reversals/{declined.Id}/retry", null);
        var again = await fixture.Client.PostAsync($"/v1/reconciliation/reversals/{declined.Id}/retry", null);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        await Poll.UntilAsync(() => driver.GetAuthorizationAsync(declined.Id),
            a => a.Operations.Any(o => o.Kind == "reversal" && o.Status == "succeeded"), timeoutMs: 30_000);
        Assert.Equal("voided", (await ProcessorRecordAsync(from, 4_568)).GetProperty("status").GetString());
        Assert.DoesNotContain(await fixture.Client.GetFromJsonAsync<List<OpenReversal>>("/v1/reconciliation/reversals") ?? [], r => r.AuthorizationId == declined.Id);
        Assert.Equal(0, await monitor.CountAsync(CancellationToken.None));
        Assert.Single(await ReversalOutcomesAsync(declined.Id), o => o.Outcome == "late approval reversed");
        await AssertReconciledAsync(from);
    }

    [Fact]
    public async Task Operator_retry_of_an_authorization_without_a_waiting_reversal_is_refused()
    {
        var account = await driver.OpenAccountAsync(creditLimit: 10_000);
        var card = await driver.IssueActiveCardAsync(account.Id);
        var approved = await driver.AuthorizeAsync(card.Id, 1_500);

        var retry = await fixture.Client.PostAsync($"/v1/reconciliation/reversals/{approved.Id}/retry", null);
        var unknown = await fixture.Client.PostAsync($"/v1/reconciliation/reversals/{Guid.NewGuid()}/retry", null);

        Assert.Equal(System.Net.HttpStatusCode.Conflict, retry.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(0, await driver.CountAsync($"core.card_operations where authorization_id = '{approved.Id}'"));
    }

    internal static object ProcessorSettings(int authorizeLatencyMs, double voidCompletionRate) => new
    {
        approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0,
        latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0, webhookFailureRate = 0.0,
        operations = new Dictionary<string, object>
        {
            ["authorize"] = new { latencyMs = new { min = authorizeLatencyMs, median = authorizeLatencyMs, p99 = authorizeLatencyMs } },
            ["void"] = new { approvalRate = voidCompletionRate },
        },
    };

    private async Task AgeHoldAsync(Guid authorizationId)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var age = new Npgsql.NpgsqlCommand("update core.authorizations set expires_at = now() - interval '1 second' where authorization_id = $1", connection);
        // Stands in for the configured days passing.
        age.Parameters.AddWithValue(authorizationId);
        await age.ExecuteNonQueryAsync();
    }

    private async Task<JsonElement> ProcessorRecordAsync(DateTimeOffset from, long amount)
    {
        var records = await fixture.ProcessorClient.GetFromJsonAsync<JsonElement>($"/processor/v1/authorizations?limit=1000&from={Uri.EscapeDataString(from.ToString("O"))}");
        return records.EnumerateArray().Single(r => r.GetProperty("amount").GetInt64() == amount);
    }

    internal sealed record ReversalOutcome(long Sequence, string EventType, string? Outcome);

    private async Task<IReadOnlyList<ReversalOutcome>> ReversalOutcomesAsync(Guid authorizationId)
    {
        var page = await fixture.Client.GetFromJsonAsync<AuditEventPage>($"/v1/audit/events?resourceType=authorization&resourceId={authorizationId}&limit=500");
        return page!.Events
            .Where(e => e.EventType.Contains("revers", StringComparison.Ordinal))
            .Select(e => new ReversalOutcome(e.Sequence, e.EventType,
                e.Details.TryGetProperty("outcome", out var outcome) ? outcome.GetString() : null))
            .ToList();
    }

    private async Task<ReconciliationReport> ReconcileAsync(DateTimeOffset from) => (await fixture.Client.GetFromJsonAsync<ReconciliationReport>(
        $"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}"))!;

    private async Task AssertReconciledAsync(DateTimeOffset from)
    {
        var report = await ReconcileAsync(from);
        Assert.True(report.Matched, string.Join("\n", report.Differences.Select(d => $"{d.Kind}: {d.Detail}")));
        Assert.Equal(0, report.InFlight);
    }
}
