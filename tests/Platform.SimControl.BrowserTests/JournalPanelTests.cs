using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.SimControl.Settings;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class JournalPanelTests(PanelFixture fixture) : IAsyncLifetime
{
    private ISimulatorSettingsStore Store => fixture.Services.GetRequiredService<ISimulatorSettingsStore>();

    public async Task InitializeAsync()
    {
        await Store.ResetAsync(SettingsActor.System);
        (await fixture.Http.DeleteAsync("/sim/v1/journal")).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_journal_filters_by_outcome_and_simulator_and_masks_ssns()
    {
        await AuthorizeAsync("approve");
        await AuthorizeAsync("decline:05");
        await CreditReportAsync("123-45-6789");
        var page = await fixture.OpenAsync("/journal");
        try
        {
            var grid = page.GetByTestId("journal-grid");
            await Assertions.Expect(grid).ToContainTextAsync("creditReport");
            await Assertions.Expect(grid).ToContainTextAsync("authorize");

            await page.SetFieldAsync("journal-outcome", "05");
            await Assertions.Expect(grid).Not.ToContainTextAsync("creditReport");
            await Assertions.Expect(grid.GetByTestId("journal-outcome")).ToHaveCountAsync(1);
            await Assertions.Expect(grid).ToContainTextAsync("decline:05");

            await page.SetFieldAsync("journal-outcome", "");
            await page.Locator("#journal-simulator").ClickAsync();
            await page.Locator("#journal-simulator fluent-option[value=bureau], #journal-simulator [role=option]:has-text('bureau-sim')").First.ClickAsync();
            await Assertions.Expect(grid).Not.ToContainTextAsync("authorize");
            await page.Locator("details summary").First.ClickAsync();
            await Assertions.Expect(grid).ToContainTextAsync("***-**-6789");
            Assert.DoesNotContain("123-45-6789", await page.ContentAsync());
            await page.AssertAccessibleAsync();
            await page.SaveScreenshotAsync("journal-filtered");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Replaying_an_entry_sends_it_again_and_the_copy_appears_on_top()
    {
        await AuthorizeAsync("decline:51");
        var page = await fixture.OpenAsync("/journal");
        try
        {
            var replay = page.Locator("[id^=replay-j_]").First;
            var originalId = (await replay.GetAttributeAsync("id"))!["replay-".Length..];
            await replay.ClickAsync();

            await Assertions.Expect(page.GetByTestId("replay-message")).ToContainTextAsync("answered 200 (51)");
            await Assertions.Expect(page.GetByTestId("journal-grid")).ToContainTextAsync("replay of " + originalId);
            await Assertions.Expect(page.GetByTestId("journal-outcome")).ToHaveCountAsync(2);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Export_downloads_the_filtered_journal_as_json_lines()
    {
        await AuthorizeAsync("approve");
        await AuthorizeAsync("decline:05");
        var page = await fixture.OpenAsync("/journal");
        try
        {
            await page.SetFieldAsync("journal-outcome", "05");
            await Assertions.Expect(page.GetByTestId("journal-outcome")).ToHaveCountAsync(1);
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#journal-export").ClickAsync());

            var lines = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Where(l => l.Length > 0).ToList();
            var entry = System.Text.Json.JsonDocument.Parse(Assert.Single(lines)).RootElement;
            Assert.Equal("05", entry.GetProperty("outcome").GetString());
            Assert.EndsWith(".jsonl", download.SuggestedFilename, StringComparison.Ordinal);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private async Task AuthorizeAsync(string scenario)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
        {
            Content = JsonContent.Create(new { cardToken = "tok_journal", amount = 1_500, currency = "USD", merchant = new { name = "Journal shop", mcc = "5411", country = "US" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Add("X-Sim-Scenario", scenario);
        using var response = await fixture.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task CreditReportAsync(string ssn)
    {
        using var response = await fixture.Http.PostAsJsonAsync("/bureau/v1/credit-reports", new
        {
            applicant = new { firstName = "Pat", lastName = "Example", ssn, dateOfBirth = "1985-04-12", address = new { line1 = "1 Main St", city = "Springfield", state = "IL", postalCode = "62701" } },
            inquiryType = "soft",
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
