using System.Diagnostics;
using System.Net;
using Platform.SimControl.Settings;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class ProcessorBehaviourTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Approval_rate_of_0_7_over_2000_authorizations_is_observed_within_tolerance()
    {
        await fixture.ResetAsync(p => { p.ApprovalRate = 0.7; p.Seed = 42; });

        var results = await Sim.ManyAsync(2000, 8, _ => Sim.AuthorizeAsync(fixture.Client));

        var approved = results.Count(r => r.GetProperty("approved").GetBoolean()) / 2000.0;
        // Binomial standard deviation at n=2000 is ~0.0102; the band is four of them either side.
        Assert.InRange(approved, 0.659, 0.741);
    }

    [Fact]
    public async Task Declines_follow_the_configured_code_mix()
    {
        await fixture.ResetAsync(p => { p.ApprovalRate = 0; p.Seed = 7; p.DeclineCodes = new() { ["51"] = 3, ["05"] = 1 }; });

        var results = await Sim.ManyAsync(800, 8, _ => Sim.AuthorizeAsync(fixture.Client));

        var codes = results.GroupBy(r => r.GetProperty("responseCode").GetString()).ToDictionary(g => g.Key!, g => g.Count() / 800.0);
        Assert.Equal(["05", "51"], codes.Keys.Order());
        Assert.InRange(codes["51"], 0.70, 0.80);
        Assert.All(results, r => Assert.Equal(0, r.GetProperty("approvedAmount").GetInt64()));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_sequence_of_outcomes()
    {
        static async Task<string> RunAsync(SimControlFixture fixture)
        {
            await fixture.ResetAsync(p => { p.ApprovalRate = 0.5; p.PartialApprovalRate = 0.2; p.Seed = 1234; });
            var codes = new List<string>();
            for (var i = 0; i < 40; i++) codes.Add((await Sim.AuthorizeAsync(fixture.Client)).GetProperty("responseCode").GetString()!);
            return string.Join(",", codes);
        }

        var first = await RunAsync(fixture);
        var second = await RunAsync(fixture);

        Assert.Equal(first, second);
        Assert.Contains("00", first);
        Assert.Contains("10", first);
    }

    [Fact]
    public async Task A_simulated_timeout_makes_the_caller_time_out()
    {
        await fixture.ResetAsync(p => p.TimeoutRate = 1);
        using var client = fixture.First.CreateContractClient();
        client.Timeout = TimeSpan.FromMilliseconds(500);
        var started = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => Sim.PostAsync(client, "/processor/v1/authorizations", Sim.Authorization()));

        Assert.True(started.ElapsedMilliseconds >= 450, $"gave up after {started.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Latency_percentiles_stay_within_the_configured_bounds()
    {
        await fixture.ResetAsync(p => p.LatencyMs = new LatencySettings { Min = 30, Median = 60, P99 = 150 });

        var durations = await Sim.ManyAsync(80, 16, async _ =>
        {
            var sw = Stopwatch.StartNew();
            using var response = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization());
            return sw.Elapsed.TotalMilliseconds;
        });

        durations.Sort();
        // The floor is the simulator's promise; the ceilings only check the draw is not wild, with room for a
        // loaded machine (timing itself is the benchmark's business).
        Assert.True(durations[0] >= 29, $"min {durations[0]}");
        var median = durations[durations.Count / 2];
        Assert.InRange(median, 50, 250);
        Assert.True(durations[^1] < 2_000, $"max {durations[^1]}");
    }

    [Fact]
    public async Task The_error_rate_answers_with_the_configured_5xx()
    {
        await fixture.ResetAsync(p => { p.ErrorRate = 1; p.ErrorStatusCode = 502; });

        using var response = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("decline:51", false, "51")]
    [InlineData("decline:N7", false, "N7")]
    [InlineData("partial", true, "10")]
    public async Task The_scenario_header_forces_the_outcome_of_one_request(string header, bool approved, string code)
    {
        await fixture.ResetAsync(p => p.ApprovalRate = 1);

        var result = await Sim.AuthorizeAsync(fixture.Client, 1000, header);

        Assert.Equal(approved, result.GetProperty("approved").GetBoolean());
        Assert.Equal(code, result.GetProperty("responseCode").GetString());
        Assert.Equal(code == "10" ? 500 : 0, result.GetProperty("approvedAmount").GetInt64());
        // The next request without the header is back to the settings.
        Assert.True((await Sim.AuthorizeAsync(fixture.Client)).GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task The_scenario_header_forces_errors_and_latency()
    {
        await fixture.ResetAsync(p => p.ApprovalRate = 1);

        using var error = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(), scenario: "error:503");
        var sw = Stopwatch.StartNew();
        using var slow = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(), scenario: "latency:300");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(sw.ElapsedMilliseconds >= 290, $"took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task An_unknown_scenario_header_is_refused_naming_the_header()
    {
        using var response = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations", Sim.Authorization(), scenario: "decline:99");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("X-Sim-Scenario", out _));
    }

    [Theory]
    [InlineData(99_951, false, "51")]
    [InlineData(99_905, false, "05")]
    [InlineData(99_977, false, "N7")]
    [InlineData(99_900, true, "00")]
    public async Task Magic_amounts_force_the_documented_outcome(long amount, bool approved, string code)
    {
        await fixture.ResetAsync(p => p.ApprovalRate = approved ? 0 : 1);

        var result = await Sim.AuthorizeAsync(fixture.Client, amount);

        Assert.Equal(approved, result.GetProperty("approved").GetBoolean());
        Assert.Equal(code, result.GetProperty("responseCode").GetString());
    }

    [Fact]
    public async Task Invalid_authorization_requests_are_refused_naming_the_fields()
    {
        using var response = await Sim.PostAsync(fixture.Client, "/processor/v1/authorizations",
            new { cardToken = "card_x", amount = -5, currency = "usd", merchant = new { name = "Shop", mcc = "54", country = "US" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("amount", out _));
        Assert.True(errors.TryGetProperty("currency", out _));
        Assert.True(errors.TryGetProperty("merchant.mcc", out _));
    }

    [Fact]
    public async Task Stats_count_requests_and_outcomes_per_operation()
    {
        await fixture.ResetAsync(p => p.ApprovalRate = 1);
        for (var i = 0; i < 3; i++) await Sim.AuthorizeAsync(fixture.Client);
        await Sim.AuthorizeAsync(fixture.Client, scenario: "decline:51");

        var stats = await Poll.UntilAsync(
            async () => await (await fixture.Client.GetAsync("/sim/v1/stats")).JsonAsync(),
            s => s.GetProperty("operations").EnumerateArray().Any(o => o.GetProperty("operation").GetString() == "authorize"
                && o.GetProperty("sinceReset").GetProperty("requests").GetInt64() == 4));

        var authorize = stats.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "authorize");
        Assert.Equal("processor", authorize.GetProperty("simulator").GetString());
        Assert.Equal(3, authorize.GetProperty("sinceReset").GetProperty("outcomes").GetProperty("00").GetInt64());
        Assert.Equal(1, authorize.GetProperty("lastMinute").GetProperty("outcomes").GetProperty("51").GetInt64());
        Assert.True(authorize.GetProperty("sinceReset").GetProperty("latencyMs").GetProperty("p99").GetDouble() > 0);
    }
}
