using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.SimControl.Settings;
using Xunit;

namespace Platform.SimControl.BrowserTests;

/// <summary>Scenarios, Live and History: the pages QA watches while tests run.</summary>
[Collection(PanelCollection.Name)]
public sealed class OperationsPanelTests(PanelFixture fixture) : IAsyncLifetime
{
    private ISimulatorSettingsStore Store => fixture.Services.GetRequiredService<ISimulatorSettingsStore>();

    public Task InitializeAsync() => Store.ResetAsync(SettingsActor.System);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_timed_scenario_shows_a_countdown_and_ending_it_restores_the_settings()
    {
        var page = await fixture.OpenAsync("/scenarios");
        try
        {
            await page.SetFieldAsync("duration-processor-outage", "120");
            await page.Locator("#run-processor-outage").ClickAsync();

            var countdown = page.GetByTestId("countdown");
            await Assertions.Expect(countdown).ToBeVisibleAsync();
            Assert.Equal(1, (await Store.GetProcessorSettingsAsync()).ErrorRate);
            var first = await countdown.TextContentAsync();
            // The countdown ticks on its own, without any change to the settings.
            await Assertions.Expect(countdown).Not.ToHaveTextAsync(first!, new() { Timeout = 5_000 });
            await page.SaveScreenshotAsync("scenarios-running");

            await page.Locator("#endScenario").ClickAsync();
            await Assertions.Expect(page.GetByTestId("active-scenario")).ToHaveCountAsync(0);
        }
        finally
        {
            await page.CloseAsync();
        }

        Assert.Equal(0, (await Store.GetProcessorSettingsAsync()).ErrorRate);
    }

    [Fact]
    public async Task History_shows_a_change_made_elsewhere_as_it_happens()
    {
        var page = await fixture.OpenAsync("/history");
        try
        {
            var settings = await Store.GetProcessorSettingsAsync();
            settings.ApprovalRate = 0.5;
            var result = await Store.UpdateProcessorSettingsAsync(settings, SettingsActor.ControlApi("qa-script", "127.0.0.1"));
            Assert.True(result.Succeeded);

            var grid = page.GetByTestId("history-grid");
            await Assertions.Expect(grid).ToContainTextAsync("approvalRate 0.95 → 0.5");
            await Assertions.Expect(grid).ToContainTextAsync("qa-script");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Live_shows_traffic_per_operation_and_keeps_updating()
    {
        var page = await fixture.OpenAsync("/live");
        try
        {
            var updated = page.GetByTestId("live-updated");
            await Assertions.Expect(updated).ToBeVisibleAsync();
            var firstStamp = await updated.TextContentAsync();

            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
                {
                    Content = JsonContent.Create(new
                    {
                        cardToken = "tok_live_test", amount = 500, currency = "USD",
                        merchant = new { name = "Live test", mcc = "5411", country = "US" },
                    }),
                };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                using var response = await fixture.Http.SendAsync(request);
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }

            var grid = page.GetByTestId("live-grid");
            await Assertions.Expect(grid).ToContainTextAsync("authorize");
            await Assertions.Expect(page.GetByTestId("kpi-processor")).ToContainTextAsync("5 since reset");
            await Assertions.Expect(updated).Not.ToHaveTextAsync(firstStamp!);
            await page.SaveScreenshotAsync("live-traffic");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
