using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Platform.Api.Tests.Money;

/// <summary>The business metrics the dashboard shows, as the API records them on meter Platform.Api.</summary>
[Collection(MoneyCollection.Name)]
public sealed class BusinessMetricsTests(MoneyFixture fixture) : IAsyncLifetime
{
    private readonly MoneyDriver driver = new(fixture);
    private IMeterFactory Meters => fixture.Api.Services.GetRequiredService<IMeterFactory>();

    public Task InitializeAsync() => fixture.ResetProcessorAsync();

    public Task DisposeAsync() => fixture.ResetProcessorAsync();

    [Fact]
    public async Task Each_authorization_decision_is_counted_by_outcome_code_and_fraud_check_and_timed()
    {
        using var decisions = new MetricCollector<long>(Meters, "Platform.Api", "platform.authorizations");
        using var duration = new MetricCollector<double>(Meters, "Platform.Api", "platform.authorization.duration");
        var account = await driver.OpenAccountAsync(creditLimit: 3_000);
        var card = await driver.IssueActiveCardAsync(account.Id);

        await driver.AuthorizeAsync(card.Id, 2_500);
        await driver.AuthorizeAsync(card.Id, 1_500);

        var approved = Assert.Single(decisions.GetMeasurementSnapshot(), m => (string?)m.Tags["outcome"] == "approved");
        Assert.Equal("00", approved.Tags["response_code"]);
        Assert.Contains(approved.Tags["fraud_check"], new object?[] { "completed", "unavailable" });
        var declined = Assert.Single(decisions.GetMeasurementSnapshot(), m => (string?)m.Tags["outcome"] == "declined");
        Assert.Equal("51", declined.Tags["response_code"]);
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0.0001, 30));
    }

    [Fact]
    public async Task Webhook_delivery_lag_is_recorded_for_each_event_received()
    {
        using var lag = new MetricCollector<double>(Meters, "Platform.Api", "platform.webhooks.delivery.lag");
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 1_000);

        await driver.SettledAsync(await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture"));

        var capture = lag.GetMeasurementSnapshot().Where(m => ((string?)m.Tags["event_type"])?.StartsWith("capture.", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(capture);
        Assert.Contains(capture, m => (string?)m.Tags["outcome"] == "applied");
        Assert.All(lag.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 60));
    }

    [Fact]
    public async Task Outbox_depth_and_age_show_work_the_processor_has_not_taken()
    {
        using var depth = new MetricCollector<long>(Meters, "Platform.Api", "platform.outbox.depth");
        using var age = new MetricCollector<double>(Meters, "Platform.Api", "platform.outbox.age");
        var account = await driver.OpenAccountAsync();
        var card = await driver.IssueActiveCardAsync(account.Id);
        var authorization = await driver.AuthorizeAsync(card.Id, 1_000);
        // The processor refuses every capture, so the capture waits in the outbox for its retries.
        await fixture.ResetProcessorAsync(new { operations = new Dictionary<string, object> { ["capture"] = new { errorRate = 1.0 } } });

        await driver.RequestAsync($"/v1/authorizations/{authorization.Id}/capture");

        // The gauges report the outbox sampler's latest reading; polled until a reading shows the waiting capture.
        await Poll.UntilAsync(() =>
        {
            depth.RecordObservableInstruments();
            age.RecordObservableInstruments();
            return Task.FromResult(depth.GetMeasurementSnapshot());
        }, snapshot => snapshot.Any(m => m.Value >= 1), timeoutMs: 20_000);
        Assert.Contains(age.GetMeasurementSnapshot(), m => m.Value > 0);
    }
}
