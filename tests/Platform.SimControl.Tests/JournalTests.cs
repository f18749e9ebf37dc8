using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class JournalTests(SimControlFixture fixture) : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fixture.ResetAsync();
        (await fixture.Client.DeleteAsync("/sim/v1/journal")).EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_simulated_request_is_journaled_newest_first_with_what_was_drawn()
    {
        await Sim.AuthorizeAsync(fixture.Client, amount: 1234, scenario: "decline:51,latency:7", key: "journal-key-1");
        await Sim.CreditReportAsync(fixture.SecondClient, "123-45-6789", "hard");

        var page = await JournalAsync("", e => e.GetArrayLength() == 2);

        var bureau = page[0];
        Assert.Equal("bureau", bureau.GetProperty("simulator").GetString());
        Assert.Equal("creditReport", bureau.GetProperty("operation").GetString());
        Assert.Equal("200", bureau.GetProperty("outcome").GetString());
        Assert.Equal("***-**-6789", bureau.GetProperty("request").GetProperty("applicant").GetProperty("ssn").GetString());
        Assert.Equal("****-**-**", bureau.GetProperty("request").GetProperty("applicant").GetProperty("dateOfBirth").GetString());
        var authorize = page[1];
        Assert.Equal("processor", authorize.GetProperty("simulator").GetString());
        Assert.Equal("authorize", authorize.GetProperty("operation").GetString());
        Assert.Equal("51", authorize.GetProperty("outcome").GetString());
        Assert.Equal(200, authorize.GetProperty("status").GetInt32());
        Assert.Equal("journal-key-1", authorize.GetProperty("idempotencyKey").GetString());
        Assert.Equal("decline:51,latency:7", authorize.GetProperty("scenarioHeader").GetString());
        Assert.Equal(7, authorize.GetProperty("latencyDrawnMs").GetInt32());
        Assert.True(authorize.GetProperty("durationMs").GetDouble() > 5, authorize.ToString());
        Assert.Equal((await fixture.Store.GetProcessorSettingsAsync()).Version, authorize.GetProperty("settingsVersion").GetInt64());
        Assert.Equal(1234, authorize.GetProperty("request").GetProperty("amount").GetInt64());
        Assert.True(authorize.GetProperty("at").GetDateTimeOffset() <= bureau.GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_journal_never_holds_a_full_ssn_or_date_of_birth()
    {
        await Sim.CreditReportAsync(fixture.Client, "987-65-4321", "soft");
        await JournalAsync("?simulator=bureau", e => e.GetArrayLength() == 1);

        var export = await fixture.Client.GetStringAsync("/sim/v1/journal/export");
        var stored = await fixture.Redis.ListRangeAsync("sim:journal");

        foreach (var text in stored.Select(v => v.ToString()).Append(export))
        {
            Assert.DoesNotContain("987654321", text.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("1985-04-12", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Filters_pick_entries_by_simulator_operation_and_outcome()
    {
        await Sim.AuthorizeAsync(fixture.Client, scenario: "approve");
        await Sim.AuthorizeAsync(fixture.Client, scenario: "decline:05");
        await Sim.AuthorizeAsync(fixture.Client, scenario: "decline:05");
        var approved = await Sim.AuthorizeAsync(fixture.Client, scenario: "approve");
        using (var capture = await Sim.PostAsync(fixture.Client, $"/processor/v1/authorizations/{approved.GetProperty("authorizationId").GetString()}/captures", new { }))
            Assert.Equal(HttpStatusCode.Accepted, capture.StatusCode);
        await Sim.CreditReportAsync(fixture.Client, "123-45-0001");
        await JournalAsync("", e => e.GetArrayLength() == 6);

        var declines = await JournalAsync("?simulator=processor&operation=authorize&outcome=05&limit=50", _ => true);
        var captures = await JournalAsync("?operation=capture", _ => true);
        var newestTwo = await JournalAsync("?simulator=processor&limit=2", _ => true);

        Assert.Equal(2, declines.GetArrayLength());
        Assert.All(declines.EnumerateArray(), e => Assert.Equal("05", e.GetProperty("outcome").GetString()));
        Assert.Equal("202", Assert.Single(captures.EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal(["capture", "authorize"], newestTwo.EnumerateArray().Select(e => e.GetProperty("operation").GetString()));
    }

    [Fact]
    public async Task A_scenario_in_force_is_recorded_until_the_settings_change_again()
    {
        (await fixture.Client.PostAsync("/sim/v1/scenarios/flaky-30/apply", null)).EnsureSuccessStatusCode();
        await Sim.AuthorizeAsync(fixture.Client, scenario: "approve");
        (await fixture.Client.PutAsJsonAsync("/sim/v1/processor/settings", new { errorRate = 0.0 })).EnsureSuccessStatusCode();
        await Sim.AuthorizeAsync(fixture.Client, scenario: "approve");

        var page = await JournalAsync("?simulator=processor", e => e.GetArrayLength() == 2);

        Assert.Equal(JsonValueKind.Null, page[0].GetProperty("scenario").ValueKind);
        Assert.Equal("flaky-30", page[1].GetProperty("scenario").GetString());
    }

    [Fact]
    public async Task Export_is_json_lines_oldest_first()
    {
        await Sim.AuthorizeAsync(fixture.Client, amount: 1001, scenario: "approve");
        await Sim.AuthorizeAsync(fixture.Client, amount: 1002, scenario: "approve");
        await JournalAsync("", e => e.GetArrayLength() == 2);

        using var response = await fixture.Client.GetAsync("/sim/v1/journal/export?simulator=processor");

        Assert.Equal("application/jsonl", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString());
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([1001, 1002], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("request").GetProperty("amount").GetInt64()));
    }

    [Fact]
    public async Task Retention_keeps_only_the_newest_entries()
    {
        await using var small = fixture.First.WithWebHostBuilder(b => b.UseSetting("Journal:Retention", "100"));
        using var client = small.CreateClient();
        await Sim.ManyAsync(130, 8, async i =>
        {
            using var response = await Sim.PostAsync(client, "/processor/v1/authorizations", Sim.Authorization(amount: 2000 + i), scenario: "approve");
            return response.StatusCode;
        });
        // One more, alone, so that it is certainly the newest.
        using (await Sim.PostAsync(client, "/processor/v1/authorizations", Sim.Authorization(amount: 9999), scenario: "approve")) { }

        var page = await Poll.UntilAsync(
            async () => await client.GetFromJsonAsync<JsonElement>("/sim/v1/journal?limit=1000"),
            p => p.GetProperty("entries").GetArrayLength() > 0 && p.GetProperty("entries")[0].GetProperty("request").GetProperty("amount").GetInt64() == 9999);

        Assert.Equal(100, page.GetProperty("retained").GetInt64());
        Assert.Equal(100, page.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_simulated_error_is_recorded_with_its_status_in_the_journal_and_the_statistics()
    {
        using (var failed = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(), scenario: "error:502"))
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);

        var entry = (await JournalAsync("?simulator=processor", e => e.GetArrayLength() == 1))[0];
        var stats = await Poll.UntilAsync(
            async () => await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/stats"),
            s => s.GetProperty("operations").EnumerateArray().Any(o => o.GetProperty("operation").GetString() == "authorize"
                && o.GetProperty("sinceReset").GetProperty("outcomes").TryGetProperty("502", out _)));

        Assert.Equal("502", entry.GetProperty("outcome").GetString());
        Assert.Equal(502, entry.GetProperty("status").GetInt32());
        Assert.Equal(1, stats.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "authorize")
            .GetProperty("sinceReset").GetProperty("outcomes").GetProperty("502").GetInt64());
    }

    [Theory]
    [InlineData("?simulator=fraud", "simulator")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    public async Task A_bad_filter_is_refused_naming_it(string query, string field)
    {
        // Malformed on purpose: only the answer is held to the contract.
        using var badInput = ContractValidation.AllowInvalidRequests();

        using var response = await fixture.Client.GetAsync("/sim/v1/journal" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task An_unknown_entry_is_not_found_and_cannot_be_replayed()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.GetAsync("/sim/v1/journal/j_nothing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.PostAsync("/sim/v1/journal/j_nothing/replay", null)).StatusCode);
    }

    private async Task<JsonElement> JournalAsync(string query, Func<JsonElement, bool> done) =>
        (await Poll.UntilAsync(
            async () => (await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/journal" + query)).GetProperty("entries"),
            done)).Clone();
}
