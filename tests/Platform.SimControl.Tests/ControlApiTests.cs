using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.SimControl.Settings;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class ControlApiTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_put_changes_the_fields_sent_and_keeps_the_others()
    {
        using var put = await fixture.Client.PutAsJsonAsync("/sim/v1/processor/settings",
            new { approvalRate = 0.7, declineCodes = new Dictionary<string, double> { ["51"] = 1 }, latencyMs = new { p99 = 90 }, seed = 9 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var settings = await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/processor/settings");
        Assert.Equal(0.7, settings.GetProperty("approvalRate").GetDouble());
        Assert.Equal(["51"], settings.GetProperty("declineCodes").EnumerateObject().Select(p => p.Name));
        Assert.Equal(90, settings.GetProperty("latencyMs").GetProperty("p99").GetInt32());
        Assert.Equal(0, settings.GetProperty("latencyMs").GetProperty("min").GetInt32());
        Assert.Equal(9, settings.GetProperty("seed").GetInt64());
        Assert.Equal(0, settings.GetProperty("errorRate").GetDouble());
    }

    [Theory]
    [InlineData("""{"approvalRate":1.5}""", "approvalRate")]
    [InlineData("""{"timeoutRate":-0.1}""", "timeoutRate")]
    [InlineData("""{"latencyMs":{"min":-5}}""", "latencyMs.min")]
    [InlineData("""{"declineCodes":{"99":1}}""", "declineCodes.99")]
    [InlineData("""{"approvalRate":"lots"}""", "approvalRate")]
    [InlineData("""{"aprovalRate":0.5}""", "aprovalRate")]
    [InlineData("""{"webhookDuplicateRate":1.5}""", "webhookDuplicateRate")]
    [InlineData("""{"webhookReorderRate":-0.5}""", "webhookReorderRate")]
    [InlineData("""{"webhookReorderDelayMs":0}""", "webhookReorderDelayMs")]
    public async Task Invalid_processor_settings_are_refused_naming_the_field_and_nothing_changes(string body, string field)
    {
        using var badInput = ContractValidation.AllowInvalidRequests();

        var before = await fixture.Client.GetStringAsync("/sim/v1/processor/settings");

        using var put = await fixture.Client.PutAsync("/sim/v1/processor/settings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.True((await put.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await put.Content.ReadAsStringAsync());
        Assert.Equal(before, await fixture.Client.GetStringAsync("/sim/v1/processor/settings"));
    }

    [Theory]
    [InlineData("""{"defaultScoreMean":900}""", "defaultScoreMean")]
    [InlineData("""{"errorRate":2}""", "errorRate")]
    [InlineData("""{"latencyMs":{"median":10,"p99":5}}""", "latencyMs.p99")]
    [InlineData("""{"personaRules":[{"ssnPrefix":"abc","name":"x","flags":{}}]}""", "personaRules[0].ssnPrefix")]
    public async Task Invalid_bureau_settings_are_refused_naming_the_field_and_nothing_changes(string body, string field)
    {
        var before = await fixture.Client.GetStringAsync("/sim/v1/bureau/settings");

        using var put = await fixture.Client.PutAsync("/sim/v1/bureau/settings", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.True((await put.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await put.Content.ReadAsStringAsync());
        Assert.Equal(before, await fixture.Client.GetStringAsync("/sim/v1/bureau/settings"));
    }

    [Fact]
    public async Task An_invalid_applicant_override_is_refused()
    {
        using var badScore = await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/applicants", new { ssn = "123-45-6789", score = 900 });
        using var badSsn = await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/applicants", new { ssn = "12345", score = 700 });

        Assert.Equal(HttpStatusCode.BadRequest, badScore.StatusCode);
        Assert.True((await badScore.JsonAsync()).GetProperty("errors").TryGetProperty("score", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badSsn.StatusCode);
        Assert.True((await badSsn.JsonAsync()).GetProperty("errors").TryGetProperty("ssn", out _));
        Assert.Empty((await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/bureau/applicants")).EnumerateArray());
    }

    [Fact]
    public async Task Every_change_is_in_the_history_with_who_before_and_after()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/sim/v1/processor/settings") { Content = JsonContent.Create(new { approvalRate = 0.25 }) };
        request.Headers.Add("X-Sim-Actor", "qa-script");
        using var put = await fixture.Client.SendAsync(request);

        var latest = (await fixture.Store.GetHistoryAsync(1)).Single();
        Assert.Equal("processor", latest.Kind);
        Assert.Equal("qa-script", latest.ActorId);
        Assert.Contains("approvalRate 0.95 → 0.25", latest.Summary, StringComparison.Ordinal);
        Assert.Equal(0.95, latest.Before!.Value.GetProperty("approvalRate").GetDouble());
        Assert.Equal(0.25, latest.After!.Value.GetProperty("approvalRate").GetDouble());
    }

    [Fact]
    public async Task Reset_restores_the_defaults()
    {
        await fixture.Client.PutAsJsonAsync("/sim/v1/processor/settings", new { approvalRate = 0.1 });
        await fixture.Client.PutAsJsonAsync("/sim/v1/bureau/applicants", new { ssn = "123-45-6789", score = 700 });

        using var reset = await fixture.Client.PostAsync("/sim/v1/reset", null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(new ProcessorSettings().ApprovalRate, (await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/processor/settings")).GetProperty("approvalRate").GetDouble());
        Assert.Empty((await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/bureau/applicants")).EnumerateArray());
    }

    [Fact]
    public async Task The_control_api_is_described_in_openapi()
    {
        var document = await fixture.Client.GetStringAsync("/openapi/v1.json");

        foreach (var path in new[] { "/sim/v1/processor/settings", "/sim/v1/bureau/settings", "/sim/v1/bureau/applicants", "/sim/v1/bureau/applicants/{id}", "/sim/v1/scenarios",
                     "/sim/v1/scenarios/{name}/apply", "/sim/v1/reset", "/sim/v1/stats", "/processor/v1/authorizations", "/bureau/v1/credit-reports" })
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
    }
}
