using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.SimControl.Settings;
using Xunit;

namespace Platform.SimControl.BrowserTests;

/// <summary>The Traffic and Live pages with traffic through the real API beside the panel.</summary>
[Collection(PanelCollection.Name)]
public sealed class TrafficPanelTests(PanelFixture fixture) : IAsyncLifetime
{
    private ISimulatorSettingsStore Store => fixture.Services.GetRequiredService<ISimulatorSettingsStore>();

    public async Task InitializeAsync()
    {
        await Store.ResetAsync(SettingsActor.System);
        var processor = await Store.GetProcessorSettingsAsync();
        processor.WebhookDelayMs = 0;
        await Store.UpdateProcessorSettingsAsync(processor, SettingsActor.System);
    }

    public async Task DisposeAsync() => await fixture.Http.DeleteAsync("/sim/v1/traffic");

    [Fact]
    public async Task Traffic_started_from_the_panel_runs_through_the_api_and_its_charts_move()
    {
        var page = await fixture.OpenAsync("/traffic");
        try
        {
            await page.SetFieldAsync("traffic-rate", "10");
            await page.SetFieldAsync("traffic-duration", "12");
            await page.SetFieldAsync("traffic-cards", "2");
            await page.Locator("#start-traffic").ClickAsync();

            await Assertions.Expect(page.GetByTestId("traffic-state")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
            var rate = page.GetByTestId("chart-traffic-rate");
            var first = await WaitForTotalAboveAsync(rate, 0);
            // The picture keeps moving while the run goes on: more requests in the window each second.
            await WaitForTotalAboveAsync(rate, first);
            await Assertions.Expect(page.GetByTestId("chart-traffic-outcomes")).Not.ToHaveAttributeAsync("data-total", "0");
            await Assertions.Expect(page.GetByTestId("chart-traffic-latency")).Not.ToHaveAttributeAsync("data-total", "0");
            await page.AssertAccessibleAsync();
            await page.SaveScreenshotAsync("traffic-running");

            await Assertions.Expect(page.GetByTestId("traffic-state")).ToHaveTextAsync("completed", new() { Timeout = 40_000 });
            await Assertions.Expect(page.GetByTestId("traffic-offered")).ToHaveTextAsync("120");
            await Assertions.Expect(page.GetByTestId("traffic-answered")).ToHaveTextAsync("120");
        }
        finally
        {
            await page.CloseAsync();
        }

        var live = await fixture.OpenAsync("/live");
        try
        {
            await WaitForTotalAboveAsync(live.GetByTestId("chart-api-rate"), 0);
            await Assertions.Expect(live.GetByTestId("chart-processor-outcomes")).Not.ToHaveAttributeAsync("data-total", "0");
            await live.AssertAccessibleAsync();
            await live.SaveScreenshotAsync("live-charts");
        }
        finally
        {
            await live.CloseAsync();
        }
    }

    [Fact]
    public async Task An_amount_range_upside_down_is_refused_naming_the_field_and_nothing_starts()
    {
        var page = await fixture.OpenAsync("/traffic");
        try
        {
            await page.SetFieldAsync("traffic-amount-min", "20000");
            await page.SetFieldAsync("traffic-amount-max", "100");
            await page.Locator("#start-traffic").ClickAsync();

            await Assertions.Expect(page.GetByTestId("traffic-problem")).ToContainTextAsync("amount");
            await Assertions.Expect(page.GetByTestId("traffic-state")).Not.ToHaveTextAsync("running");
            await Assertions.Expect(page.GetByTestId("traffic-state")).Not.ToHaveTextAsync("preparing");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static async Task<double> WaitForTotalAboveAsync(ILocator chart, double floor)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var total = double.Parse(await chart.GetAttributeAsync("data-total") ?? "0", CultureInfo.InvariantCulture);
            if (total > floor) return total;
            Assert.True(DateTime.UtcNow < deadline, $"The chart stayed at {total}.");
            await Task.Delay(250);
        }
    }
}
