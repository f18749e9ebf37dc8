using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests;

/// <summary>Every refusal, however early in the pipeline it is decided, carries a problem body.</summary>
[Collection(MoneyCollection.Name)]
public sealed class ProblemAnswersTests(MoneyFixture fixture)
{
    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_naming_the_body_in_every_environment()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        using var client = fixture.Api.CreateContractClient();

        using var response = await client.PostAsync("/v1/auth/register", new StringContent("{bad", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty("registration", out _) || problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
    }

    [Fact]
    public async Task A_wrong_typed_field_is_a_400_naming_the_field()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        using var response = await fixture.Client.PostAsync("/v1/authorizations",
            new StringContent("""{"cardId":"not-a-guid","amount":100,"currency":"USD"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await ProblemAsync(response)).GetProperty("errors").TryGetProperty("cardId", out _));
    }

    [Fact]
    public async Task An_unparsable_query_value_is_a_400_naming_the_parameter_and_not_echoing_the_value()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        using var response = await fixture.Client.GetAsync("/v1/audit/events?limit=123-45-6789");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty("limit", out _), text);
        Assert.DoesNotContain("123-45-6789", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_forbidden_not_found_and_wrong_method_all_carry_problem_bodies()
    {
        // Malformed on purpose: the request side is not checked, every answer still is.
        using var malformed = ContractValidation.AllowInvalidRequests();

        using var anonymous = fixture.Api.CreateContractClient();
        var (customer, _) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);

        var answers = new (HttpStatusCode Expected, HttpResponseMessage Response)[]
        {
            (HttpStatusCode.Unauthorized, await anonymous.GetAsync("/v1/me")),
            (HttpStatusCode.Forbidden, await customer.GetAsync("/v1/audit/verify")),
            (HttpStatusCode.NotFound, await customer.GetAsync("/v1/no-such-thing")),
            (HttpStatusCode.MethodNotAllowed, await customer.DeleteAsync("/v1/authorizations")),
        };

        foreach (var (expected, response) in answers)
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal((int)expected, (await ProblemAsync(response)).GetProperty("status").GetInt32());
        }
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
