using System.Net;
using Microsoft.AspNetCore.Hosting;
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
        var database = await stores.Postgres.CreateDatabaseAsync("workers");
        await using var api = new ApiFactory(database, stores.Redis.ConnectionString).WithWebHostBuilder(b => b
            .UseSetting("TestClock:Enabled", "true")
            .UseSetting("Outbox:PollMs", "20")
            .UseSetting("Authorizations:SweepIntervalMs", "100")
            .UseSetting("Statements:CycleIntervalSeconds", "1")
            .UseSetting("Underwriting:RetryPollMs", "50"));
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
