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
                JsonDocument.Parse(e.Details).RootElement.TryGetProperty("outcome", out var outcome) ? outcome.GetString() : null))
            .ToList();
    }

    private async Task AssertReconciledAsync(DateTimeOffset from)
    {
        var report = await fixture.Client.GetFromJsonAsync<ReconciliationReport>(
            $"/v1/reconciliation/processor?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}");
        Assert.True(report!.Matched, string.Join("\n", report.Differences.Select(d => $"{d.Kind}: {d.Detail}")));
        Assert.Equal(0, report.InFlight);
    }
}
