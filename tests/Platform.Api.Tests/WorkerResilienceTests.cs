using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Platform.Testing;
using StackExchange.Redis;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests;

/// <summary>
/// No background worker can stop the API: with every worker's stores gone in a way no retry filter expected (the
/// data source and the Redis connection disposed, so every call throws ObjectDisposedException), the host keeps
/// running and answers.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WorkerResilienceTests(PlatformStoresFixture stores)
{
    [Fact]
    public async Task Workers_whose_dependencies_throw_unexpected_exceptions_do_not_stop_the_api()
    {
        await using var api = await ApiHostBuilder.On(stores, "workers")
            .With("TestClock:Enabled", "true")
            .With("Outbox:PollMs", "20")
            .With("Authorizations:SweepIntervalMs", "100")
            .With("Statements:CycleIntervalSeconds", "1")
            .With("Underwriting:RetryPollMs", "50")
            .BuildAsync();
        using var client = api.CreateContractClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        var lifetime = api.Services.GetRequiredService<IHostApplicationLifetime>();

        await api.Services.GetRequiredService<NpgsqlDataSource>().DisposeAsync();
        await api.Services.GetRequiredService<IConnectionMultiplexer>().DisposeAsync();
        // Several rounds of every worker (the slowest, the statement cycle, runs every second).
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "a worker's exception stopped the host");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}
