using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;
using Platform.Testing;
using Xunit;

namespace Platform.SimControl.BrowserTests;

[CollectionDefinition(Name)]
public sealed class PanelCollection : ICollectionFixture<PanelFixture>
{
    public const string Name = "panel";
}

/// <summary>
/// One real SimControl on a loopback port (Kestrel, not the in-memory test server: the browser needs a socket),
/// backed by real PostgreSQL and Redis, plus one headless Chromium, shared by the whole collection because
/// starting either is slow on two cores.
/// </summary>
public sealed class PanelFixture : IAsyncLifetime
{
    // The Debian chromium package; Playwright's own browser download is not reachable from CI.
    private const string DefaultChromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly PlatformStoresFixture stores = new();
    private SimControlFactory? factory;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Fixture not started.");

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => factory?.Services ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        var database = await stores.Postgres.CreateDatabaseAsync("panel");

        var port = FreeLoopbackPort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        factory = new SimControlFactory(database, stores.Redis.ConnectionString);
        factory.UseKestrel(port);
        factory.StartServer();
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // The tests drive the simulators as the platform does, with its credential.
        Http.DefaultRequestHeaders.Add(TestCredentials.ApiKeyHeader, TestCredentials.ProcessorApiKey);

        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? DefaultChromium,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A fresh browser context (own cookies, own circuit) with a page on <paramref name="path"/>, once interactive.</summary>
    public async Task<IPage> OpenAsync(string path)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        // Typed input before the Blazor circuit is up is silently lost: wait for the marker the layout renders
        // only when interactive.
        await page.Locator("[data-testid=interactive]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        return page;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (factory is not null) await factory.DisposeAsync();
        await stores.DisposeAsync();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SimControlFactory(string database, string redis) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Development serves the static web assets (Fluent UI's scripts and styles) from the build output.
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:platform", database);
            builder.UseSetting("ConnectionStrings:redis", redis);
            builder.UseSetting("Processor:WebhookSecret", "browser-tests-webhook-secret");
            builder.UseSetting("Processor:ApiKey", TestCredentials.ProcessorApiKey);
            builder.UseSetting("Bureau:ApiKey", TestCredentials.ProcessorApiKey);
        }
    }
}
