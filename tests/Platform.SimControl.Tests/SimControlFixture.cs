using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.SimControl.Settings;
using Platform.Testing;
using Platform.Testing.Contracts;

namespace Platform.SimControl.Tests;

[CollectionDefinition(Name)]
public sealed class SimControlCollection : ICollectionFixture<SimControlFixture>
{
    public const string Name = "simcontrol";
}

public sealed class SimControlFactory(string database, string redis, string receiverUrl) : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret-0123456789";
    public const string InternalApiKey = "test-internal-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", database);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Processor:WebhookSecret", WebhookSecret);
        builder.UseSetting("Processor:WebhookRetryBaseMs", "100");
        builder.UseSetting("Processor:WorkerPollMs", "50");
        builder.UseSetting("AuditForwarding:ApiKey", InternalApiKey);
        builder.UseSetting("AuditForwarding:ApiBaseUrl", receiverUrl);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // One key for both simulators here, so the fixture's clients reach both with one header.
        builder.UseSetting("Processor:ApiKey", TestCredentials.ProcessorApiKey);
        builder.UseSetting("Bureau:ApiKey", TestCredentials.ProcessorApiKey);
    }

    /// <summary>Clients call as the platform does: with its credential.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(TestCredentials.ApiKeyHeader, TestCredentials.ProcessorApiKey);
    }

    /// <summary>A client without the platform's credential, as anyone else on the network would call.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = this.CreateContractClient();
        client.DefaultRequestHeaders.Remove(TestCredentials.ApiKeyHeader);
        return client;
    }
}

/// <summary>
/// Two SimControl instances on one PostgreSQL database and one Redis (as in a scaled-out deployment), plus a real
/// HTTP receiver standing in for the platform API (webhooks and the internal audit endpoint).
/// </summary>
public sealed class SimControlFixture : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();

    public SimControlFactory First { get; private set; } = null!;
    public SimControlFactory Second { get; private set; } = null!;
    public Receiver Receiver { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public HttpClient SecondClient { get; private set; } = null!;

    public ISimulatorSettingsStore Store => First.Services.GetRequiredService<ISimulatorSettingsStore>();

    public StackExchange.Redis.IDatabase Redis => First.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>().GetDatabase();

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        Receiver = await Receiver.StartAsync();
        var database = await stores.Postgres.CreateDatabaseAsync("simcontrol");
        First = new SimControlFactory(database, stores.Redis.ConnectionString, Receiver.BaseUrl);
        Second = new SimControlFactory(database, stores.Redis.ConnectionString, Receiver.BaseUrl);
        Client = First.CreateContractClient();
        SecondClient = Second.CreateContractClient();
    }

    /// <summary>Defaults, no latency, immediate webhooks, the receiver registered and answering 200.</summary>
    public async Task ResetAsync(Action<ProcessorSettings>? processor = null)
    {
        await Store.ResetAsync(SettingsActor.System);
        var p = await Store.GetProcessorSettingsAsync();
        p.LatencyMs = new LatencySettings();
        p.WebhookDelayMs = 0;
        processor?.Invoke(p);
        var result = await Store.UpdateProcessorSettingsAsync(p, SettingsActor.System);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Key)));
        var b = await Store.GetBureauSettingsAsync();
        b.LatencyMs = new LatencySettings();
        await Store.UpdateBureauSettingsAsync(b, SettingsActor.System);
        Receiver.Clear();
        var registered = await Client.PutAsJsonAsync("/processor/v1/webhook-endpoint", new { url = Receiver.BaseUrl + "/webhooks" });
        registered.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        // The servers must stop even if a host fails to shut down cleanly, or they outlive the test run.
        try
        {
            Client.Dispose();
            SecondClient.Dispose();
            await First.DisposeAsync();
            await Second.DisposeAsync();
            await Receiver.DisposeAsync();
        }
        finally
        {
            await stores.DisposeAsync();
        }
    }
}

public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At);

/// <summary>A real Kestrel listener on a loopback port that records what it receives and answers as told.</summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, int> calls = new();

    private Receiver(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Given the path and the 1-based number of the call to that path, the status to answer.</summary>
    public Func<string, int, int> Respond { get; set; } = (_, _) => 200;

    public void Clear()
    {
        Requests.Clear();
        calls.Clear();
        Respond = (_, _) => 200;
    }

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var n = receiver.calls.AddOrUpdate(context.Request.Path.ToString(), 1, (_, c) => c + 1);
            var status = receiver.Respond(context.Request.Path, n);
            if (status is >= 200 and < 300)
            {
                receiver.Requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, DateTimeOffset.UtcNow));
            }
            context.Response.StatusCode = status;
            if (status == 201) await context.Response.WriteAsJsonAsync(new { sequence = n, eventId = Guid.NewGuid() });
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Urls.First().TrimEnd('/');
        return receiver;
    }

    public async Task<List<ReceivedRequest>> WaitForAsync(Func<ReceivedRequest, bool> match, int count = 1, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var found = Requests.Where(match).ToList();
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Expected {count} matching requests, saw {found.Count}.");
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

internal static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, int timeoutMs = 10_000)
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
