using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.SimControl.Stats;

namespace Platform.SimControl.Tests;

[Collection(SimControlCollection.Name)]
public sealed class SimulatorStatisticsTests(SimControlFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.ResetAsync(p => p.ApprovalRate = 1);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_authorization_is_answered_even_when_its_statistics_cannot_be_recorded()
    {
        // Redis gone between the work and the statistics: the authorization is recorded, so its answer must say so
        // (a 500 here made the platform decline, unaware of the processor's approval).
        await using var instance = fixture.First.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.Replace(ServiceDescriptor.Singleton<ISimulatorStatsService, UnrecordableStats>())));
        using var client = instance.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
        {
            Content = JsonContent.Create(new { cardToken = "card_stats_outage", amount = 1234, currency = "USD", merchant = new { name = "Stats Outage", mcc = "5411", country = "US" } }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("approved").GetBoolean());
        using var record = await fixture.Client.GetAsync($"/processor/v1/authorizations/{answer.GetProperty("authorizationId").GetString()}");
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
    }

    [Fact]
    public async Task A_simulated_error_is_counted_under_its_status()
    {
        await fixture.ResetAsync(p => { p.ApprovalRate = 1; p.ErrorRate = 1; p.ErrorStatusCode = 503; });
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/v1/authorizations")
            {
                Content = JsonContent.Create(new { cardToken = "card_stats_errors", amount = 100 + i, currency = "USD", merchant = new { name = "Stats Errors", mcc = "5411", country = "US" } }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fixture.Client.SendAsync(request)).StatusCode);
        }

        var stats = await fixture.Client.GetFromJsonAsync<JsonElement>("/sim/v1/stats");

        var outcomes = stats.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "authorize")
            .GetProperty("sinceReset").GetProperty("outcomes");
        Assert.Equal(3, outcomes.GetProperty("503").GetInt64());
        Assert.False(outcomes.TryGetProperty("200", out _), outcomes.GetRawText());
    }

    private sealed class UnrecordableStats : ISimulatorStatsService
    {
        public void Record(string simulator, string operation, string outcome, double latencyMs) =>
            throw new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.SocketClosed, "No connection is active/available to service this operation");

        public Task<SimulatorStatsSnapshot> GetSnapshotAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
