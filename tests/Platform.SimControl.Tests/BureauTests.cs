using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class BureauTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_same_ssn_gets_the_same_report()
    {
        var first = await Sim.CreditReportAsync(fixture.Client, "123-45-6789");
        var second = await Sim.CreditReportAsync(fixture.SecondClient, "123456789");

        Assert.InRange(first.GetProperty("score").GetInt32(), 300, 850);
        Assert.Equal(first.GetProperty("score").GetInt32(), second.GetProperty("score").GetInt32());
        Assert.Equal(first.GetProperty("tradelines").GetRawText(), second.GetProperty("tradelines").GetRawText());
        Assert.InRange(first.GetProperty("factors").GetArrayLength(), 0, 4);
        Assert.NotEqual(first.GetProperty("score").GetInt32(), (await Sim.CreditReportAsync(fixture.Client, "987-65-4321")).GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task A_hard_pull_is_recorded_and_lowers_the_next_score_while_a_soft_pull_leaves_no_mark()
    {
        var baseline = (await Sim.CreditReportAsync(fixture.Client, "222-33-4444")).GetProperty("score").GetInt32();
        var afterSoft = await Sim.CreditReportAsync(fixture.Client, "222-33-4444", "soft");
        Assert.Equal(baseline, afterSoft.GetProperty("score").GetInt32());

        var hard = await Sim.CreditReportAsync(fixture.Client, "222-33-4444", "hard");
        var next = await Sim.CreditReportAsync(fixture.Client, "222-33-4444", "soft");

        Assert.Equal(baseline, hard.GetProperty("score").GetInt32());
        Assert.Equal(0, hard.GetProperty("inquiries").GetArrayLength());
        Assert.Equal(baseline - 5, next.GetProperty("score").GetInt32());
        var inquiry = Assert.Single(next.GetProperty("inquiries").EnumerateArray());
        Assert.Equal("hard", inquiry.GetProperty("type").GetString());
        Assert.Contains(next.GetProperty("factors").EnumerateArray(), f => f.GetProperty("code").GetString() == "08");
    }

    [Fact]
    public async Task A_per_ssn_override_sets_score_and_flags()
    {
        using var put = await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/applicants", new { ssn = "555-66-7777", score = 580, flags = new { fraudAlert = true } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var id = (await put.JsonAsync()).GetProperty("id").GetString();

        var report = await Sim.CreditReportAsync(fixture.SecondClient, "555-66-7777");

        Assert.Equal(580, report.GetProperty("score").GetInt32());
        Assert.True(report.GetProperty("flags").GetProperty("fraudAlert").GetBoolean());
        var got = await fixture.Client.GetFromJsonAsync<JsonElement>($"/sim/v1/bureau/applicants/{id}");
        Assert.Equal("7777", got.GetProperty("ssnLast4").GetString());
        Assert.DoesNotContain("555667777", got.GetRawText(), StringComparison.Ordinal);
        using var found = await fixture.Client.PostAsJsonAsync("/sim/v1/bureau/applicants/lookup", new { ssn = "555667777" });
        Assert.Equal(id, (await found.JsonAsync()).GetProperty("id").GetString());

        using var deleted = await fixture.Client.DeleteAsync($"/sim/v1/bureau/applicants/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.NotEqual(580, (await Sim.CreditReportAsync(fixture.Client, "555-66-7777")).GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task The_ssn_in_an_override_path_does_not_reach_the_trace()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        using var put = await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/applicants", new { ssn = "321-54-9876", score = 700 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var spans = stopped.Where(a => a.OperationName.Contains("HttpRequestIn", StringComparison.Ordinal) || a.DisplayName.Contains("applicants", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(spans);
        Assert.All(spans, a =>
        {
            Assert.DoesNotContain("321-54-9876", a.DisplayName, StringComparison.Ordinal);
            Assert.All(a.TagObjects, t => Assert.DoesNotContain("321-54-9876", t.Value?.ToString() ?? "", StringComparison.Ordinal));
        });
    }

    [Theory]
    [InlineData("000-00-1234", "noHit")]
    [InlineData("000-02-1234", "frozen")]
    [InlineData("000-05-1234", "deceased")]
    public async Task Persona_prefixes_give_the_documented_flags(string ssn, string flag)
    {
        var report = await Sim.CreditReportAsync(fixture.Client, ssn, "hard");

        Assert.True(report.GetProperty("flags").GetProperty(flag).GetBoolean());
        if (flag is "noHit" or "frozen") Assert.Equal(JsonValueKind.Null, report.GetProperty("score").ValueKind);
    }

    [Fact]
    public async Task The_scenario_header_overrides_score_and_errors_for_one_request()
    {
        var report = await Sim.CreditReportAsync(fixture.Client, "123-45-6789", scenario: "score:610,flag:thinFile");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bureau/v1/credit-reports") { Content = JsonContent.Create(Sim.Applicant("123-45-6789", "soft")) };
        request.Headers.Add("X-Sim-Scenario", "error:503");
        using var error = await fixture.Client.SendAsync(request);

        Assert.Equal(610, report.GetProperty("score").GetInt32());
        Assert.True(report.GetProperty("flags").GetProperty("thinFile").GetBoolean());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
    }

    [Fact]
    public async Task A_low_score_population_scenario_moves_unknown_applicants_down()
    {
        var before = (await Sim.ManyAsync(30, 6, i => Sim.CreditReportAsync(fixture.Client, $"4{i:00}-11-2222"))).Average(r => r.GetProperty("score").GetInt32());

        using var applied = await fixture.Client.PostAsync("/sim/v1/scenarios/low-score-population/apply", null);
        var after = (await Sim.ManyAsync(30, 6, i => Sim.CreditReportAsync(fixture.Client, $"4{i:00}-11-2222"))).Average(r => r.GetProperty("score").GetInt32());

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.True(after < before - 80, $"mean {before} → {after}");
    }

    [Fact]
    public async Task Invalid_applicants_are_refused_naming_the_fields()
    {
        using var response = await fixture.Client.PostAsJsonAsync("/bureau/v1/credit-reports", new
        {
            applicant = new { firstName = "Pat", lastName = "Example", ssn = "12-34", dateOfBirth = "2020-01-01", address = new { line1 = "1 Main St", city = "X", state = "Illinois", postalCode = "6270" } },
            inquiryType = "medium",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var field in new[] { "inquiryType", "applicant.ssn", "applicant.dateOfBirth", "applicant.address.state", "applicant.address.postalCode" })
            Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("12-34", body, StringComparison.Ordinal);
    }
}
