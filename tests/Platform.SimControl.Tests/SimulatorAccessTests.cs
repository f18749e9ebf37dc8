using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>processor-sim and bureau-sim answer only the platform, as the real counterparts answer only their merchant.</summary>
[Collection(SimControlCollection.Name)]
public sealed class SimulatorAccessTests(SimControlFixture fixture)
{
    public static TheoryData<string, string> SimulatorEndpoints => new()
    {
        { "POST", "/processor/v1/authorizations" },
        { "POST", "/processor/v1/cards" },
        { "GET", "/processor/v1/cards" },
        { "GET", "/processor/v1/authorizations" },
        { "GET", "/processor/v1/webhooks" },
        { "PUT", "/processor/v1/webhook-endpoint" },
        { "POST", "/bureau/v1/credit-reports" },
    };

    [Theory]
    [MemberData(nameof(SimulatorEndpoints))]
    public async Task A_caller_without_the_platform_credential_is_refused_before_its_body_is_read(string method, string path)
    {
        // A stranger's request is as malformed as a stranger likes; the 401 must still be the document's.
        using var malformed = ContractValidation.AllowInvalidRequests();

        using var anonymous = fixture.First.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{not json", Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));

        using var response = await anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused()
    {
        using var client = fixture.First.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-the-platform-key-000000");

        using var response = await client.GetAsync("/processor/v1/cards");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Nobody_but_the_platform_can_learn_a_card_number_by_replaying_its_issue_request()
    {
        await fixture.ResetAsync();
        var reference = Guid.NewGuid().ToString();
        using var issued = await Sim.PostAsync(fixture.Client, "/processor/v1/cards", new { type = "virtual", cardholderName = "PAT EXAMPLE", reference }, reference);
        Assert.Equal(HttpStatusCode.Accepted, issued.StatusCode);

        using var anonymous = fixture.First.CreateAnonymousClient();
        using var listed = await anonymous.GetAsync("/processor/v1/cards");
        using var replayed = await Sim.PostAsync(anonymous, "/processor/v1/cards", new { type = "virtual", cardholderName = "PAT EXAMPLE", reference }, reference);

        Assert.Equal(HttpStatusCode.Unauthorized, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }
}
