extern alias simcontrol;

using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Money;

[CollectionDefinition(Name)]
public sealed class MoneyCollection : ICollectionFixture<MoneyFixture>
{
    public const string Name = "money";
}

/// <summary>
/// The API and processor-sim (the real simcontrol app) in-process, each with its own database on one throwaway
/// PostgreSQL and sharing one Redis, calling each other through their test servers: authorizations and operations go
/// API → processor-sim, webhooks come back processor-sim → API, signed with the shared secret. The fraud service is
/// deliberately unreachable, so its documented fallback rule decides (approve up to 50.00, decline above).
/// </summary>
public sealed class MoneyFixture : IAsyncLifetime
{
    public const string WebhookSecret = "money-tests-webhook-secret-0123456789";
    public const string AllowedHosts = "localhost;127.0.0.1;api.test;processor.test";
    private readonly PlatformStoresFixture stores = new();

    public ApiFactory Api { get; private set; } = null!;
    public ProcessorSimFactory Processor { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public HttpClient ProcessorClient { get; private set; } = null!;
    public string ApiDatabase { get; private set; } = "";
    public string ProcessorDatabase { get; private set; } = "";
    public string RedisConnectionString => stores.Redis.ConnectionString;

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        ApiDatabase = await stores.Postgres.CreateDatabaseAsync("api");
        var processorDatabase = ProcessorDatabase = await stores.Postgres.CreateDatabaseAsync("processor");
        await stores.Redis.FlushAsync();
        Processor = new ProcessorSimFactory(processorDatabase, stores.Redis.ConnectionString, () => Api!.Server.CreateHandler());
        Api = await ApiHost().BuildAsync();
        ProcessorClient = Processor.CreateContractClient();
        Client = await Api.CreateOperatorClientAsync();
        await ResetProcessorAsync();
        // The API registers its webhook URL with the processor at start; wait for that before any test runs.
        await Poll.UntilAsync(() => ProcessorClient.GetAsync("/processor/v1/webhook-endpoint"), r => r.IsSuccessStatusCode);
    }

    /// <summary>
    /// The API's settings for these suites, on this fixture's database (a second instance shares it), calling this
    /// fixture's processor-sim; a suite may add its own before building.
    /// </summary>
    public ApiHostBuilder ApiHost() => new ApiHostBuilder(ApiDatabase, stores.Redis.ConnectionString)
        .With("Processor:WebhookSecret", WebhookSecret)
        .With("Processor:WebhookCallbackUrl", "http://api.test/v1/webhooks/processor")
        .With("services:simcontrol:http:0", "http://processor.test")
        // The two in-process hosts call each other by these names; any other Host is still refused.
        .With("AllowedHosts", AllowedHosts)
        // Nothing listens on the discard port: every fraud call fails fast and the fallback rule decides.
        .With("services:fraud:http:0", "http://127.0.0.1:9")
        // A roomier budget than production's 95 ms, so a busy test machine does not turn approvals into timeouts;
        // the timeout tests make the processor slower than this.
        .With("Authorizations:BudgetMs", "1500")
        .With("Processor:AuthorizeTimeoutMs", "1500")
        // These tests put a hundred authorizations on one card at once to test the credit reservation; shedding load
        // past the in-flight limit has its own test (AdmissionTests).
        .With("Authorizations:MaxInFlight", "0")
        .With("Outbox:PollMs", "50")
        .With("Outbox:RetryBaseMs", "100")
        .With("Outbox:RetryMaxMs", "1000")
        .With("Authorizations:ReversalRetryBaseMs", "100")
        .With("Authorizations:ReversalRetryMaxMs", "1000")
        .With("Authorizations:ReversalMaxAttempts", "3")
        .Quiet()
        .ConfigureServices(services =>
        {
            services.AddHttpClient(nameof(Platform.Api.Integrations.Processor.ProcessorAuthorizationClient))
                .ConfigurePrimaryHttpMessageHandler(() => Processor.Server.CreateHandler());
            services.AddHttpClient(nameof(Platform.Api.Integrations.Processor.ProcessorOperationsClient))
                .ConfigurePrimaryHttpMessageHandler(() => Processor.Server.CreateHandler());
        });

    /// <summary>Every authorization approved in full, no latency, webhooks at once.</summary>
    public async Task ResetProcessorAsync(object? overrides = null)
    {
        (await ProcessorClient.PostAsync("/sim/v1/reset", null)).EnsureSuccessStatusCode();
        var response = await ProcessorClient.PutAsJsonAsync("/sim/v1/processor/settings", overrides ?? new
        {
            approvalRate = 1.0, partialApprovalRate = 0.0, errorRate = 0.0, timeoutRate = 0.0,
            latencyMs = new { min = 0, median = 0, p99 = 0 }, webhookDelayMs = 0, webhookFailureRate = 0.0,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<NpgsqlConnection> OpenApiDatabaseAsync()
    {
        var connection = new NpgsqlConnection(ApiDatabase);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        try
        {
            Client.Dispose();
            ProcessorClient.Dispose();
            await Api.DisposeAsync();
            await Processor.DisposeAsync();
        }
        finally
        {
            await stores.DisposeAsync();
        }
    }
}

public sealed class ProcessorSimFactory(string database, string redis, Func<HttpMessageHandler> apiHandler) : WebApplicationFactory<simcontrol::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", database);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Processor:WebhookSecret", MoneyFixture.WebhookSecret);
        builder.UseSetting("Processor:WebhookRetryBaseMs", "100");
        builder.UseSetting("Processor:WebhookRetryMaxMs", "1000");
        builder.UseSetting("Processor:WorkerPollMs", "50");
        builder.UseSetting("Processor:ApiKey", TestCredentials.ProcessorApiKey);
        builder.UseSetting("Bureau:ApiKey", TestCredentials.BureauApiKey);
        builder.UseSetting("AllowedHosts", MoneyFixture.AllowedHosts);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureTestServices(services =>
            services.AddHttpClient("processor-webhooks").ConfigurePrimaryHttpMessageHandler(apiHandler));
    }

    /// <summary>Tests read processor-sim's records as the platform does: with its credential.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(TestCredentials.ApiKeyHeader, TestCredentials.ProcessorApiKey);
    }
}

internal static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not met in time; last value: " + value);
            await Task.Delay(25);
        }
    }
}
