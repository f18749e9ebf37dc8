using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Platform.SimControl.Settings;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[Collection(PanelCollection.Name)]
public sealed class ProcessorPanelTests(PanelFixture fixture) : IAsyncLifetime
{
    private ISimulatorSettingsStore Store => fixture.Services.GetRequiredService<ISimulatorSettingsStore>();

    public Task InitializeAsync() => Store.ResetAsync(SettingsActor.System);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Moving_the_approval_rate_slider_to_zero_and_saving_makes_the_next_authorization_decline()
    {
        var page = await fixture.OpenAsync("/processor");
        try
        {
            await Assertions.Expect(page.Input("approvalRate-input")).ToHaveValueAsync("0.95");

            var slider = page.Locator("#approvalRate-slider");
            await slider.FocusAsync();
            await slider.PressAsync("Home");
            await Assertions.Expect(page.Input("approvalRate-input")).ToHaveValueAsync("0.00");
            await page.Locator("#save").ClickAsync();
            await Assertions.Expect(page.GetByTestId("saved")).ToBeVisibleAsync();
        }
        finally
        {
            await page.CloseAsync();
        }

        Assert.Equal(0, (await Store.GetProcessorSettingsAsync()).ApprovalRate);
        for (var i = 0; i < 3; i++)
        {
            var answer = await AuthorizeAsync();
            Assert.False(answer["approved"]!.GetValue<bool>(), answer.ToJsonString());
            Assert.NotEqual("00", answer["responseCode"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_change_through_the_control_API_shows_up_in_the_open_panel_without_reload()
    {
        var page = await fixture.OpenAsync("/processor");
        try
        {
            await Assertions.Expect(page.Input("approvalRate-input")).ToHaveValueAsync("0.95");
            var navigations = 0;
            page.FrameNavigated += (_, _) => navigations++;

            var settings = await fixture.Http.GetFromJsonAsync<JsonObject>("/sim/v1/processor/settings");
            settings!["approvalRate"] = 0.42;
            settings["latencyMs"]!["p99"] = 1234;
            var put = await fixture.Http.PutAsJsonAsync("/sim/v1/processor/settings", settings);
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

            await Assertions.Expect(page.Input("approvalRate-input")).ToHaveValueAsync("0.42");
            await Assertions.Expect(page.Input("latencyP99-input")).ToHaveValueAsync("1234");
            Assert.Equal(0, navigations);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task A_change_saved_in_one_panel_appears_in_another_open_panel()
    {
        var first = await fixture.OpenAsync("/processor");
        var second = await fixture.OpenAsync("/processor");
        try
        {
            await Assertions.Expect(second.Input("errorRate-input")).ToHaveValueAsync("0");
            await first.SetFieldAsync("errorRate-input", "0.25");
            await first.Locator("#save").ClickAsync();
            await Assertions.Expect(first.GetByTestId("saved")).ToBeVisibleAsync();

            await Assertions.Expect(second.Input("errorRate-input")).ToHaveValueAsync("0.25");
        }
        finally
        {
            await first.CloseAsync();
            await second.CloseAsync();
        }
    }

    [Fact]
    public async Task A_change_made_elsewhere_keeps_unsaved_edits_and_says_so()
    {
        var page = await fixture.OpenAsync("/processor");
        try
        {
            await page.SetFieldAsync("latencyMedian-input", "40");
            await Assertions.Expect(page.GetByTestId("unsaved")).ToBeVisibleAsync();

            var settings = await Store.GetProcessorSettingsAsync();
            settings.ErrorRate = 0.1;
            Assert.True((await Store.UpdateProcessorSettingsAsync(settings, SettingsActor.ControlApi("qa-script", null))).Succeeded);

            await Assertions.Expect(page.GetByTestId("changed-elsewhere")).ToContainTextAsync("qa-script");
            await Assertions.Expect(page.Input("latencyMedian-input")).ToHaveValueAsync("40");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task An_invalid_value_shows_a_validation_message_and_changes_nothing()
    {
        var before = await Store.GetProcessorSettingsAsync();
        var page = await fixture.OpenAsync("/processor");
        try
        {
            // A minimum above the median is refused by the store's validation, with the field named.
            await page.SetFieldAsync("latencyMin-input", "500");
            await page.Locator("#save").ClickAsync();

            var errors = page.GetByTestId("validation-errors");
            await Assertions.Expect(errors).ToBeVisibleAsync();
            await Assertions.Expect(errors).ToContainTextAsync("latencyMs.median");
            await Assertions.Expect(page.GetByTestId("unsaved")).ToBeVisibleAsync();
        }
        finally
        {
            await page.CloseAsync();
        }

        var after = await Store.GetProcessorSettingsAsync();
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.LatencyMs.Min, after.LatencyMs.Min);
    }

    [Fact]
    public async Task The_decline_code_mix_editor_adds_a_code_and_saves_its_weight()
    {
        var page = await fixture.OpenAsync("/processor");
        try
        {
            await page.Locator("[data-testid=decline-codes] #declineCode-51").WaitForAsync();
            await page.Locator("button[aria-label='Remove code 54'], fluent-button[aria-label='Remove code 54']").First.ClickAsync();
            await Assertions.Expect(page.Locator("#declineCode-54")).ToHaveCountAsync(0);
            await page.SetFieldAsync("declineCode-51", "3");
            await page.Locator("#save").ClickAsync();
            await Assertions.Expect(page.GetByTestId("saved")).ToBeVisibleAsync();
        }
        finally
        {
            await page.CloseAsync();
        }

        var stored = await Store.GetProcessorSettingsAsync();
        Assert.False(stored.DeclineCodes.ContainsKey("54"));
        Assert.Equal(3, stored.DeclineCodes["51"]);
    }

    private async Task<JsonObject> AuthorizeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
        {
            Content = JsonContent.Create(new
            {
                cardToken = "tok_panel_test",
                amount = 1250,
                currency = "USD",
                merchant = new { name = "Panel test shop", mcc = "5411", country = "US" },
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await fixture.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
