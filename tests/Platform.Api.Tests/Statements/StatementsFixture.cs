using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Api.Statements;
using Platform.Testing;

namespace Platform.Api.Tests.Statements;

[CollectionDefinition(Name)]
public sealed class StatementsCollection : ICollectionFixture<StatementsFixture>
{
    public const string Name = "statements";
}

/// <summary>
/// The real API in-process on its own PostgreSQL database (and the shared Redis) with a clock the tests move. Its cycle
/// worker runs only at start-up, so each test cycles through the operator endpoint and sees exactly what that produced;
/// <see cref="StartWithWorkerAsync"/> gives a second instance whose worker cycles by itself.
/// </summary>
public sealed class StatementsFixture : IAsyncLifetime
{
    private readonly PlatformStoresFixture stores = new();
    private readonly List<IAsyncDisposable> started = [];

    public MovableClock Clock { get; } = new();
    public WebApplicationFactory<Program> Api { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public TestLedger Ledger { get; private set; } = null!;
    public string Database { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        // Periods are computed from the clock: start in a fixed month so the tests' dates read the same on every run.
        Clock.MoveTo(new DateTimeOffset(2031, 1, 2, 10, 0, 0, TimeSpan.Zero));
        (Api, Database) = await StartApiAsync(Clock, cycleIntervalSeconds: 24 * 3600);
        Client = await Api.CreateOperatorClientAsync();
        Ledger = new TestLedger(Database, Clock);
    }

    public async Task<(WebApplicationFactory<Program> Api, TestLedger Ledger, MovableClock Clock)> StartWithWorkerAsync()
    {
        var clock = new MovableClock();
        clock.MoveTo(Clock.GetUtcNow());
        var (api, database) = await StartApiAsync(clock, cycleIntervalSeconds: 1);
        return (api, new TestLedger(database, clock), clock);
    }

    private async Task<(WebApplicationFactory<Program>, string)> StartApiAsync(MovableClock clock, int cycleIntervalSeconds)
    {
        // The settings every API test uses, with this fixture's clock and cycle interval on top.
        var factory = await ApiHostBuilder.On(stores, "statements")
            .With($"{StatementOptions.Section}:CycleIntervalSeconds", cycleIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Quiet()
            .ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(clock);
            })
            .BuildAsync();
        started.Add(factory);
        _ = factory.Server;
        return (factory, factory.DatabaseConnectionString);
    }

    /// <summary>Runs a cycle pass through the operator endpoint.</summary>
    public async Task<StatementCycleResult> CycleAsync(HttpClient? client = null)
    {
        var response = await (client ?? Client).PostAsync("/v1/statements/cycle", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<StatementCycleResult>())!;
    }

    public async Task<IReadOnlyList<StatementResponse>> ListAsync(Guid accountId, HttpClient? client = null)
    {
        var response = await (client ?? Client).GetAsync($"/v1/accounts/{accountId}/statements");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<StatementList>())!.Items;
    }

    public async Task<byte[]> DownloadAsync(Guid accountId, string period)
    {
        var response = await Client.GetAsync($"/v1/accounts/{accountId}/statements/{period}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            Client?.Dispose();
            foreach (var factory in started) await factory.DisposeAsync();
        }
        finally
        {
            await stores.DisposeAsync();
        }
    }
}
