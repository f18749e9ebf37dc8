using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.SimControl.Settings;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class BureauPanelTests(PanelFixture fixture) : IAsyncLifetime
{
    private const string Ssn = "123-45-6789";

    private ISimulatorSettingsStore Store => fixture.Services.GetRequiredService<ISimulatorSettingsStore>();

    public Task InitializeAsync() => Store.ResetAsync(SettingsActor.System);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_override_added_edited_and_removed_in_the_grid_drives_that_applicants_report()
    {
        var page = await fixture.OpenAsync("/bureau");
        try
        {
            var grid = page.GetByTestId("overrides-grid");

            await page.Locator("#addOverride").ClickAsync();
            await page.SetFieldAsync("overrideSsn", Ssn);
            await page.SetFieldAsync("overrideScore", "512");
            await page.Locator("#saveOverride").ClickAsync();
            await Assertions.Expect(grid).ToContainTextAsync("***-**-6789");
            await Assertions.Expect(grid).ToContainTextAsync("512");
            Assert.Equal(512, (await ReportAsync())["score"]!.GetValue<int>());

            await page.Locator("[aria-label='Edit override for ***-**-6789']").ClickAsync();
            await Assertions.Expect(page.Input("overrideScore")).ToHaveValueAsync("512");
            await page.SetFieldAsync("overrideScore", "777");
            await page.Locator("#saveOverride").ClickAsync();
            await Assertions.Expect(grid).ToContainTextAsync("777");
            Assert.Equal(777, (await ReportAsync())["score"]!.GetValue<int>());
            await page.SaveScreenshotAsync("bureau-override");

            await page.Locator("[aria-label='Remove override for ***-**-6789']").ClickAsync();
            await Assertions.Expect(grid).Not.ToContainTextAsync("***-**-6789");
            Assert.Null(await Store.GetApplicantOverrideAsync(Ssn));
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task An_out_of_range_override_score_shows_a_message_and_stores_nothing()
    {
        var page = await fixture.OpenAsync("/bureau");
        try
        {
            await page.Locator("#addOverride").ClickAsync();
            await page.SetFieldAsync("overrideSsn", "12-34");
            await page.Locator("#saveOverride").ClickAsync();
            await Assertions.Expect(page.GetByTestId("override-editor")).ToContainTextAsync("9 digits");
        }
        finally
        {
            await page.CloseAsync();
        }

        Assert.Empty(await Store.ListApplicantOverridesAsync());
    }

    private async Task<JsonObject> ReportAsync()
    {
        var response = await fixture.Http.PostAsJsonAsync("/bureau/v1/credit-reports", new
        {
            applicant = new
            {
                firstName = "Pat", lastName = "Tester", ssn = Ssn, dateOfBirth = "1980-01-01",
                address = new { line1 = "1 Main St", city = "Springfield", state = "IL", postalCode = "62701" },
            },
            inquiryType = "soft",
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
