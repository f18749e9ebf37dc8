using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>
/// The traffic control API's refusals: everything that must not start a run answers with a problem and leaves
/// nothing running. (Runs through the real API are covered end to end through the AppHost.)
/// </summary>
[Collection(SimControlCollection.Name)]
public sealed class TrafficControlTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("""{"durationSeconds":10}""", "ratePerSecond")]
    [InlineData("""{"ratePerSecond":0,"durationSeconds":10}""", "ratePerSecond")]
    [InlineData("""{"ratePerSecond":501,"durationSeconds":10}""", "ratePerSecond")]
    [InlineData("""{"ratePerSecond":10}""", "durationSeconds")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":3601}""", "durationSeconds")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":10,"cards":0}""", "cards")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":10,"amount":{"min":500,"max":100}}""", "amount")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":10,"merchants":[{"name":"X","mcc":"54","country":"US","weight":1}]}""", "merchants[0].mcc")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":10,"operations":{"authorize":0,"capture":0,"void":0,"refund":0}}""", "operations")]
    [InlineData("""{"ratePerSecond":10,"durationSeconds":10,"rate":5}""", "rate")]
    [InlineData("""{"ratePerSecond":"fast","durationSeconds":10}""", "ratePerSecond")]
    public async Task A_bad_traffic_request_is_refused_naming_the_field_and_starts_nothing(string body, string field)
    {
        // Malformed on purpose: only the answer is held to the contract.
        using var badInput = ContractValidation.AllowInvalidRequests();

        using var response = await fixture.Client.PostAsync("/sim/v1/traffic", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        await AssertNothingRunningAsync();
    }

    [Fact]
    public async Task Without_an_operator_identity_traffic_is_refused_as_not_configured()
    {
        using var response = await fixture.Client.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = 5, durationSeconds = 5 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Traffic:OperatorEmail", (await response.JsonAsync()).GetProperty("detail").GetString());
        await AssertNothingRunningAsync();
    }

    [Fact]
    public async Task A_refused_sign_in_answers_bad_gateway_and_starts_nothing()
    {
        fixture.Receiver.Respond = (path, _) => path == "/v1/auth/login" ? 401 : 200;
        await using var configured = fixture.First.WithWebHostBuilder(b => b
            .UseSetting("Traffic:ApiBaseAddress", fixture.Receiver.BaseUrl)
            .UseSetting("Traffic:OperatorEmail", "operator@card-platform.local")
            .UseSetting("Traffic:OperatorPassword", "not-the-password"));
        using var client = configured.CreateClient();

        using var response = await client.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = 5, durationSeconds = 5 });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("401", (await response.JsonAsync()).GetProperty("detail").GetString());
        await AssertNothingRunningAsync();
        // Nothing holds the one-run lock: the next start is refused for its own reason, not as already running.
        using var next = await client.PostAsJsonAsync("/sim/v1/traffic", new { ratePerSecond = 5, durationSeconds = 5 });
        Assert.Equal(HttpStatusCode.BadGateway, next.StatusCode);
    }

    [Fact]
    public async Task Stopping_when_nothing_runs_is_not_found()
    {
        using var response = await fixture.Client.DeleteAsync("/sim/v1/traffic");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task AssertNothingRunningAsync()
    {
        var status = await fixture.SecondClient.GetFromJsonAsync<JsonElement>("/sim/v1/traffic");
        Assert.DoesNotContain(status.GetProperty("state").GetString(), new[] { "preparing", "running" });
    }
}
