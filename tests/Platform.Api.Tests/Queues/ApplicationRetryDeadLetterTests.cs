using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Tests.Money;
using Platform.Api.Tests.Underwriting;
using Platform.Data.Queues;
using Platform.Testing;

namespace Platform.Api.Tests.Queues;

/// <summary>
/// An application that used its automatic attempts waits for a person; it is on the operators' dead-letter list of
/// queue <c>application-retries</c>, and a retry from there has the worker decide it again.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ApplicationRetryDeadLetterTests(PlatformStoresFixture stores) : IAsyncLifetime
{
    private StubBureauAndFraud stub = null!;
    private ApiFactory api = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        stub = await StubBureauAndFraud.StartAsync();
        api = await ApiHostBuilder.ForUnderwriting(stores, stub).StartAsync();
        client = await api.CreateOperatorClientAsync();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await api.DisposeAsync();
        await stub.DisposeAsync();
    }

    [Fact]
    public async Task An_application_out_of_automatic_attempts_is_a_dead_letter_and_a_retry_decides_it()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = StubBureauAnswer.Unavailable;
        var applied = await (await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn))).Content.ReadFromJsonAsync<JsonElement>();
        var id = applied.GetProperty("id").GetGuid();
        Assert.Equal("pending_review", applied.GetProperty("status").GetString());
        // Every attempt but the last used up: the worker's next claim is one too many, and it gives up.
        await api.CountAsync("update core.applications set attempts = 20, next_attempt_at = now() where application_id = $1 returning 1", id);

        var dead = await Poll.UntilAsync(DeadLettersAsync, list => list.Any(d => d.Id == id.ToString()));
        stub.Answers[ssn] = new StubBureauAnswer(780);
        var retry = await client.PostAsync($"/v1/queues/application-retries/dead-letters/{id}/retry", null);
        var decided = await Poll.UntilAsync(() => client.GetFromJsonAsync<JsonElement>($"/v1/applications/{id}"),
            a => a.GetProperty("status").GetString() != "pending_review");

        Assert.Equal("pending_review", Assert.Single(dead, d => d.Id == id.ToString()).Summary);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("approved", decided.GetProperty("status").GetString());
        Assert.DoesNotContain(await DeadLettersAsync(), d => d.Id == id.ToString());
    }

    [Fact]
    public async Task An_application_waiting_for_a_person_by_design_is_no_dead_letter()
    {
        var ssn = TestApplicants.NewSsn();
        stub.Answers[ssn] = new StubBureauAnswer(null, Frozen: true);
        var applied = await (await client.PostAsJsonAsync("/v1/applications", TestApplicants.Application(ssn))).Content.ReadFromJsonAsync<JsonElement>();
        var id = applied.GetProperty("id").GetGuid();

        var retry = await client.PostAsync($"/v1/queues/application-retries/dead-letters/{id}/retry", null);

        Assert.Equal("pending_review", applied.GetProperty("status").GetString());
        Assert.DoesNotContain(await DeadLettersAsync(), d => d.Id == id.ToString());
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
    }

    private async Task<List<DeadLetter>> DeadLettersAsync() =>
        (await client.GetFromJsonAsync<List<DeadLetter>>("/v1/queues/application-retries/dead-letters"))!;
}
