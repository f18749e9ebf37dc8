using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.EndToEnd.Tests;

/// <summary>
/// QA's control plane through the running platform. The traffic generator, started over the control API (and from the
/// dashboard), signs in with the operator identity the AppHost hands it, opens its test cards through the API and
/// authorizes on them; what it sent is in the API's records and in processor-sim's journal. The e-mail viewer reads
/// the folder the AppHost gives the API's console sink.
/// </summary>
[Collection(PlatformAppCollection.Name)]
public sealed class QaControlPlaneThroughAppHostTests(PlatformAppFixture platform) : IAsyncLifetime
{
    private readonly HttpClient simControl = platform.App.CreateHttpClient("simcontrol");

    public async Task InitializeAsync() =>
        (await simControl.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0 }))
            .EnsureSuccessStatusCode();

    public async Task DisposeAsync()
    {
        await simControl.DeleteAsync("/sim/v1/traffic");
        await WaitUntilEndedAsync();
        (await simControl.PostAsync("/sim/v1/reset", null)).EnsureSuccessStatusCode();
        simControl.Dispose();
    }

    [Fact]
    public async Task Traffic_started_over_the_control_api_is_authorized_by_the_api_and_journaled_by_processor_sim()
    {
        using var start = await simControl.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = 10, durationSeconds = 4, cards = 3, amount = new { min = 700, max = 900 } });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var runId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString();

        var status = await WaitUntilEndedAsync();

        Assert.Equal(runId, status.GetProperty("runId").GetString());
        Assert.Equal("completed", status.GetProperty("state").GetString());
        Assert.Equal(40, status.GetProperty("offered").GetInt64());
        Assert.Equal(40, status.GetProperty("answered").GetInt64());
        Assert.Equal(40, status.GetProperty("answers").GetProperty("200").GetInt64());
        Assert.Equal(3, status.GetProperty("cardsReady").GetInt32());
        var approvals = status.GetProperty("outcomes").TryGetProperty("00", out var n) ? n.GetInt64() : 0;
        Assert.True(approvals > 0, status.ToString());

        // processor-sim journaled each approval it was asked for; its idempotency key is the API's authorization id.
        var journal = await simControl.GetFromJsonAsync<JsonElement>("/sim/v1/journal?simulator=processor&operation=authorize&limit=1000");
        var fromTraffic = journal.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("amount").GetInt64() is >= 700 and <= 900 && e.GetProperty("at").GetDateTimeOffset() >= status.GetProperty("startedAt").GetDateTimeOffset())
            .ToList();
        Assert.True(fromTraffic.Count >= approvals, $"{fromTraffic.Count} journaled, {approvals} approved");
        foreach (var entry in fromTraffic.Take(5))
        {
            var authorization = await platform.OperatorApi.GetFromJsonAsync<JsonElement>($"/v1/authorizations/{entry.GetProperty("idempotencyKey").GetString()}");
            Assert.Equal(entry.GetProperty("request").GetProperty("amount").GetInt64(), authorization.GetProperty("amount").GetInt64());
            Assert.Equal(entry.GetProperty("outcome").GetString(), authorization.GetProperty("responseCode").GetString());
        }
    }

    [Fact]
    public async Task The_dashboard_starts_and_stops_traffic_and_a_second_start_meanwhile_is_refused()
    {
        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();

        var started = await commands.ExecuteCommandAsync("simcontrol", "start-traffic");
        Assert.True(started.Success, started.Message);
        using var again = await simControl.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = 5, durationSeconds = 5 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var stopped = await commands.ExecuteCommandAsync("simcontrol", "stop-traffic");
        Assert.True(stopped.Success, stopped.Message);

        var status = await WaitUntilEndedAsync();
        // The whole status on failure: its detail says why a run ended otherwise.
        Assert.True(status.GetProperty("state").GetString() == "stopped", status.ToString());
        Assert.Equal(20, status.GetProperty("plan").GetProperty("ratePerSecond").GetDouble());
    }

    [Fact]
    public async Task The_panel_shows_the_verification_email_the_api_sent_and_its_link_confirms_the_address()
    {
        const string password = "Viewer-Passw0rd-1";
        var email = $"viewer-{Guid.NewGuid():N}@example.com";
        var customer = platform.App.CreateHttpClient("api");
        (await customer.PostAsJsonAsync("/v1/auth/register", new { email, password })).EnsureSuccessStatusCode();

        JsonElement? found = null;
        var deadline = DateTime.UtcNow.AddSeconds(45);
        while (found is null)
        {
            var list = await simControl.GetFromJsonAsync<JsonElement>($"/sim/v1/emails?recipient={Uri.EscapeDataString(email)}");
            found = list.GetProperty("emails").EnumerateArray().Select(e => (JsonElement?)e).FirstOrDefault();
            Assert.True(found is not null || DateTime.UtcNow < deadline, "The verification e-mail never reached the panel.");
            if (found is null) await Task.Delay(200);
        }
        Assert.Equal("verification", found.Value.GetProperty("template").GetString());
        var details = await simControl.GetFromJsonAsync<JsonElement>($"/sim/v1/emails/{found.Value.GetProperty("id").GetString()}");
        var link = details.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("kind").GetString() == "verification").GetProperty("url").GetString()!;
        using var html = await simControl.GetAsync(found.Value.GetProperty("htmlUrl").GetString());
        Assert.Contains("sandbox", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await customer.GetAsync(new Uri(link).PathAndQuery)).StatusCode);
        Assert.True((await customer.PostAsJsonAsync("/v1/auth/login", new { email, password })).IsSuccessStatusCode);
    }

    private async Task<JsonElement> WaitUntilEndedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var status = await simControl.GetFromJsonAsync<JsonElement>("/sim/v1/traffic");
            if (status.GetProperty("state").GetString() is not ("preparing" or "running")) return status;
            Assert.True(DateTime.UtcNow < deadline, "The traffic run did not end: " + status);
            await Task.Delay(250);
        }
    }
}
