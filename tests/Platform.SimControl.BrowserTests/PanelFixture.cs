extern alias api;

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
/// One real SimControl and one real platform API on loopback ports (Kestrel, not the in-memory test server: the
/// browser and the two services talk over sockets), backed by real PostgreSQL and Redis, plus one headless Chromium,
/// shared by the whole collection because starting them is slow on two cores. The API uses simcontrol as its
/// processor and writes its e-mails where the panel's e-mail viewer reads them; the traffic generator signs in to it
/// as the operator the API seeds — the way the AppHost wires them.
/// </summary>
public sealed class PanelFixture : IAsyncLifetime
{
    public const string OperatorEmail = "operator@panel-tests.local";
    public const string OperatorPassword = "Panel-Operator-Passw0rd-1";
    private const string WebhookSecret = "browser-tests-webhook-secret-0123456789";
    private const string InternalApiKey = "browser-tests-internal-key";

    // The Debian chromium package; Playwright's own browser download is not reachable from CI.
    private const string DefaultChromium = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly PlatformStoresFixture stores = new();
    private SimControlFactory? factory;
    private ApiFactory? apiFactory;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The platform API (what the traffic generator drives and the verification links point at).</summary>
    public Uri ApiAddress { get; private set; } = null!;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Fixture not started.");

    public HttpClient Http { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public IServiceProvider Services => factory?.Services ?? throw new InvalidOperationException("Fixture not started.");

    /// <summary>The folder the API's console sink writes and the panel's e-mail viewer reads.</summary>
    public string EmailDirectory { get; } = Directory.CreateTempSubdirectory("panel-email-").FullName;

    public async Task InitializeAsync()
    {
        await stores.InitializeAsync();
        var database = await stores.Postgres.CreateDatabaseAsync("panel");
        var apiDatabase = await stores.Postgres.CreateDatabaseAsync("panel_api");

        BaseAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
        ApiAddress = new Uri($"http://127.0.0.1:{FreeLoopbackPort()}/");
        factory = new SimControlFactory(database, stores.Redis.ConnectionString, EmailDirectory, ApiAddress);
        factory.UseKestrel(BaseAddress.Port);
        factory.StartServer();
        // The API registers its webhook address with processor-sim as it starts: simcontrol first.
        apiFactory = new ApiFactory(apiDatabase, stores.Redis.ConnectionString, EmailDirectory, BaseAddress, ApiAddress);
        apiFactory.UseKestrel(ApiAddress.Port);
        apiFactory.StartServer();
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        // The tests drive the simulators as the platform does, with its credential.
        Http.DefaultRequestHeaders.Add(TestCredentials.ApiKeyHeader, TestCredentials.ProcessorApiKey);
        Api = new HttpClient { BaseAddress = ApiAddress, Timeout = TimeSpan.FromSeconds(30) };

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
            AcceptDownloads = true,
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
        Api?.Dispose();
        if (browser is not null) await browser.DisposeAsync();
        playwright?.Dispose();
        if (apiFactory is not null) await apiFactory.DisposeAsync();
        if (factory is not null) await factory.DisposeAsync();
        await stores.DisposeAsync();
        try
        {
            Directory.Delete(EmailDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SimControlFactory(string database, string redis, string emailDirectory, Uri api) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Development serves the static web assets (Fluent UI's scripts and styles) from the build output.
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:platform", database);
            builder.UseSetting("ConnectionStrings:redis", redis);
            builder.UseSetting("Processor:WebhookSecret", WebhookSecret);
            builder.UseSetting("Processor:ApiKey", TestCredentials.ProcessorApiKey);
            builder.UseSetting("Bureau:ApiKey", TestCredentials.ProcessorApiKey);
            builder.UseSetting("Processor:WorkerPollMs", "50");
            builder.UseSetting("AuditForwarding:ApiKey", InternalApiKey);
            builder.UseSetting("AuditForwarding:ApiBaseUrl", api.ToString().TrimEnd('/'));
            builder.UseSetting("services:api:http:0", api.ToString().TrimEnd('/'));
            builder.UseSetting("Traffic:OperatorEmail", OperatorEmail);
            builder.UseSetting("Traffic:OperatorPassword", OperatorPassword);
            builder.UseSetting("Emails:Directory", emailDirectory);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }

    private sealed class ApiFactory(string database, string redis, string emailDirectory, Uri simControl, Uri self) : WebApplicationFactory<api::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:platform", database);
            builder.UseSetting("ConnectionStrings:redis", redis);
            builder.UseSetting("Processor:WebhookSecret", WebhookSecret);
            builder.UseSetting("Processor:WebhookCallbackUrl", new Uri(self, "/v1/webhooks/processor").ToString());
            builder.UseSetting("Processor:ApiKey", TestCredentials.ProcessorApiKey);
            builder.UseSetting("Bureau:ApiKey", TestCredentials.ProcessorApiKey);
            builder.UseSetting("Fraud:ApiKey", TestCredentials.FraudApiKey);
            builder.UseSetting("services:simcontrol:http:0", simControl.ToString().TrimEnd('/'));
            // Nothing listens on the discard port: every fraud call fails fast and the fallback rule decides.
            builder.UseSetting("services:fraud:http:0", "http://127.0.0.1:9");
            // Verification links point at this API, as the AppHost's public address would.
            builder.UseSetting("Identity:PublicBaseUrl", self.ToString().TrimEnd('/'));
            builder.UseSetting("AllowedHosts", "127.0.0.1;localhost");
            // Roomy budgets: these tests check what the panel shows, not the platform's latency.
            builder.UseSetting("Authorizations:BudgetMs", "1500");
            builder.UseSetting("Processor:AuthorizeTimeoutMs", "1500");
            builder.UseSetting("Outbox:PollMs", "50");
            builder.UseSetting("InternalApi:Key", InternalApiKey);
            builder.UseSetting("Identity:Operator:Email", OperatorEmail);
            builder.UseSetting("Identity:Operator:Password", OperatorPassword);
            builder.UseSetting("Email:SinkDirectory", emailDirectory);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
