using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Email;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Email;

/// <summary>Operators' per-account alert rules: GET, PUT, DELETE and the validation in front of them.</summary>
[Collection(EmailCollection.Name)]
public sealed class AlertRulesApiTests(EmailFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task An_account_without_rules_reports_the_configured_defaults()
    {
        var accountId = await OpenAccountAsync();

        var rules = await fixture.Client.GetFromJsonAsync<AlertRulesResponse>($"/v1/accounts/{accountId}/alert-rules", Json);

        Assert.Equal(new AlertRulesResponse(accountId, 50_000, "USD", true, "default", null), rules);
    }

    [Fact]
    public async Task Put_rules_are_returned_by_get_and_delete_returns_the_account_to_the_defaults()
    {
        var accountId = await OpenAccountAsync();

        var put = await fixture.Client.PutAsJsonAsync($"/v1/accounts/{accountId}/alert-rules", new { largePurchaseThreshold = 12_345, fraudDeclineAlerts = false });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = await fixture.Client.GetFromJsonAsync<AlertRulesResponse>($"/v1/accounts/{accountId}/alert-rules", Json);
        Assert.Equal((12_345L, false, "account"), (read!.LargePurchaseThreshold, read.FraudDeclineAlerts, read.Source));
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from audit.events where event_type = 'alert_rules.updated' and resource_id = $1", accountId.ToString()));

        var deleted = await fixture.Client.DeleteAsync($"/v1/accounts/{accountId}/alert-rules");
        var after = await deleted.Content.ReadFromJsonAsync<AlertRulesResponse>(Json);
        Assert.Equal((50_000L, true, "default"), (after!.LargePurchaseThreshold, after.FraudDeclineAlerts, after.Source));
    }

    [Theory]
    [InlineData("{\"largePurchaseThreshold\":0,\"fraudDeclineAlerts\":true}", "largePurchaseThreshold")]
    [InlineData("{\"largePurchaseThreshold\":-5,\"fraudDeclineAlerts\":true}", "largePurchaseThreshold")]
    [InlineData("{\"largePurchaseThreshold\":10000000001,\"fraudDeclineAlerts\":true}", "largePurchaseThreshold")]
    [InlineData("{\"fraudDeclineAlerts\":true}", "largePurchaseThreshold")]
    [InlineData("{\"largePurchaseThreshold\":1000}", "fraudDeclineAlerts")]
    public async Task Invalid_rules_are_refused_with_problem_details_and_change_nothing(string body, string field)
    {
        var accountId = await OpenAccountAsync();

        var response = await fixture.Client.PutAsync($"/v1/accounts/{accountId}/alert-rules", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.alert_rules where account_id = $1", accountId));
    }

    [Fact]
    public async Task Rules_for_an_unknown_account_are_not_found_and_not_stored()
    {
        var unknown = Guid.NewGuid();

        var put = await fixture.Client.PutAsJsonAsync($"/v1/accounts/{unknown}/alert-rules", new { largePurchaseThreshold = 1_000, fraudDeclineAlerts = true });
        var get = await fixture.Client.GetAsync($"/v1/accounts/{unknown}/alert-rules");

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.alert_rules where account_id = $1", unknown));
    }

    [Fact]
    public async Task Alert_rules_are_refused_to_a_caller_who_is_not_signed_in_as_an_operator()
    {
        var accountId = await OpenAccountAsync();
        using var anonymous = fixture.Api.CreateContractClient();

        var put = await anonymous.PutAsJsonAsync($"/v1/accounts/{accountId}/alert-rules", new { largePurchaseThreshold = 1_000, fraudDeclineAlerts = true });
        var get = await anonymous.GetAsync($"/v1/accounts/{accountId}/alert-rules");

        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.alert_rules where account_id = $1", accountId));
    }

    private async Task<Guid> OpenAccountAsync()
    {
        var response = await fixture.Client.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 100_000, ownerReference = "ops@example.com" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
