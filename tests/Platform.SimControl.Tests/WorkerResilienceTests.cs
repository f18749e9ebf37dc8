using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Testing;
using StackExchange.Redis;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

/// <summary>No background worker can stop simcontrol, and with it both simulators.</summary>
public sealed class WorkerResilienceTests : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public Task InitializeAsync() => stores.InitializeAsync();

    public Task DisposeAsync() => stores.DisposeAsync();

    [Fact]
    public async Task Workers_whose_stores_throw_unexpected_exceptions_do_not_stop_simcontrol()
    {
        await using var sim = new SimControlFactory(await stores.Postgres.CreateDatabaseAsync("workers"), stores.Redis.ConnectionString, "http://127.0.0.1:9");
        using var client = sim.CreateContractClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        var lifetime = sim.Services.GetRequiredService<IHostApplicationLifetime>();

        await sim.Services.GetRequiredService<NpgsqlDataSource>().DisposeAsync();
        await sim.Services.GetRequiredService<IConnectionMultiplexer>().DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "a worker's exception stopped the host");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }

    /// <summary>
    /// What took processor-sim down under load: the webhook HTTP stack throwing InvalidOperationException (from inside
    /// service discovery's resolver). Now a failed attempt, retried; authorizations are served meanwhile.
    /// </summary>
    [Fact]
    public async Task A_webhook_send_that_throws_is_a_failed_attempt_retried_while_authorizations_go_on()
    {
        var receiver = await Receiver.StartAsync();
        var failing = new ThrowingHandler();
        await using var sim = new SimControlFactory(await stores.Postgres.CreateDatabaseAsync("webhooks"), stores.Redis.ConnectionString, receiver.BaseUrl)
            .WithWebHostBuilder(b => b.ConfigureTestServices(services =>
                services.AddHttpClient("processor-webhooks").ConfigurePrimaryHttpMessageHandler(() => failing)));
        using var client = sim.CreateContractClient();
        (await client.PostAsync("/sim/v1/reset", null)).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync("/sim/v1/processor/settings", new { webhookDelayMs = 0, latencyMs = new { min = 0, median = 0, p99 = 0 } })).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync("/processor/v1/webhook-endpoint", new { url = receiver.BaseUrl + "/webhooks" })).EnsureSuccessStatusCode();

        var id = (await Sim.AuthorizeAsync(client, 500)).GetProperty("authorizationId").GetString();
        using var voided = await Sim.PostAsync(client, $"/processor/v1/authorizations/{id}/void", null);
        await Poll.UntilAsync(() => Task.FromResult(failing.Calls), n => n >= 2);
        using var duringFailures = await Sim.PostAsync(client, "/processor/v1/authorizations", Sim.Authorization(700));
        failing.Failing = false;

        Assert.Equal(HttpStatusCode.Accepted, voided.StatusCode);
        Assert.Equal(HttpStatusCode.OK, duringFailures.StatusCode);
        await Poll.UntilAsync(() => Task.FromResult(failing.Delivered), n => n >= 1, timeoutMs: 20_000);
        await receiver.DisposeAsync();
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        private int calls;
        private int delivered;
        public volatile bool Failing = true;
        public int Calls => calls;
        public int Delivered => delivered;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            if (Failing) throw new InvalidOperationException("An attempt was made to transition a task to a final state when it had already completed.");
            Interlocked.Increment(ref delivered);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
