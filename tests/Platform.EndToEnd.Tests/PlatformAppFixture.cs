using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Platform.Testing.Contracts;

namespace Platform.EndToEnd.Tests;

[CollectionDefinition(Name)]
public sealed class PlatformAppCollection : ICollectionFixture<PlatformAppFixture>
{
    public const string Name = "platform-app";
}

/// <summary>
/// The real AppHost, started once for the collection: local Postgres and Redis processes in a throwaway data folder,
/// every service on a free port so the suite can run beside a developer's running stack.
/// </summary>
public sealed class PlatformAppFixture : IAsyncLifetime
{
    public static readonly string[] ResourceNames = ["postgres", "redis", "fraud", "simcontrol", "api"];

    /// <summary>Two API replicas start together, so every run also proves their migrations do not collide.</summary>
    public const int ApiReplicas = 2;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private string? dataDirectory;
    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("Not started.");

    /// <summary>Instance id → resource name of every instance seen healthy at start-up (replicas are separate instances).</summary>
    public IReadOnlyDictionary<string, string> HealthyInstances { get; private set; } = new Dictionary<string, string>();

    public static int ExpectedInstances(string resourceName) => resourceName == "api" ? ApiReplicas : 1;

    public async Task InitializeAsync()
    {
        // Under /tmp: the postgres account has to traverse the path to its data folder.
        dataDirectory = Directory.CreateTempSubdirectory("platform-e2e-").FullName;
        // The e-mail console sink writes where the tests can read it (the API writes, the panel's e-mail viewer reads).
        EmailSinkDirectory = Directory.CreateTempSubdirectory("platform-e2e-email-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Platform_AppHost>(
        [
            $"--Email:SinkDirectory={EmailSinkDirectory}",
            "--Infrastructure:Mode=local",
            $"--LocalInfrastructure:DataDirectory={dataDirectory}",
            "--Ports:Api=0",
            "--Ports:SimControl=0",
            "--Ports:Fraud=0",
            $"--Api:Replicas={ApiReplicas}",
        ]);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // Every exchange of every test with the services is held to the document that service publishes.
        builder.Services.AddContractValidation();
        // These tests check what the fraud service decides, not its latency budget (the benchmark measures that):
        // a roomier Redis budget keeps a busy CI machine from turning a velocity lookup into a degraded score.
        builder.CreateResourceBuilder<ProjectResource>("fraud").WithEnvironment("Fraud__TransactionVelocityTimeoutMs", "250");
        // Likewise the authorization budget: these tests check decisions; the benchmark measures the 95 ms budget.
        // QA's test clock lets a statement period close.
        builder.CreateResourceBuilder<ProjectResource>("api")
            .WithEnvironment("Authorizations__BudgetMs", "1500")
            .WithEnvironment("Processor__AuthorizeTimeoutMs", "1500")
            .WithEnvironment("TestClock__Enabled", "true");

        app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        HealthyInstances = await WaitForEveryInstanceHealthyAsync(app.ResourceNotifications, timeout.Token);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        async Task<string?> Parameter(string name) => await model.Resources.OfType<ParameterResource>().Single(p => p.Name == name).GetValueAsync(timeout.Token);
        operatorPassword = await Parameter("operator-password");
        processorApiKey = await Parameter("processor-api-key");
        fraudApiKey = await Parameter("fraud-api-key");
        OperatorApi = await CreateOperatorClientAsync(timeout.Token);
    }

    /// <summary>
    /// The api, signed in as the operator the API seeds in Development; the password is the AppHost's generated
    /// <c>operator-password</c> parameter, read the way the AppHost hands it over.
    /// </summary>
    public HttpClient OperatorApi { get; private set; } = null!;

    public string EmailSinkDirectory { get; private set; } = "";

    public const string OperatorEmail = "operator@card-platform.local";

    /// <summary>The seeded operator's password, for clients that sign in themselves (the generated client's journey).</summary>
    public string OperatorPassword => operatorPassword ?? throw new InvalidOperationException("Not started.");

    private string? operatorPassword;
    private string? processorApiKey;
    private string? fraudApiKey;

    /// <summary>simcontrol as the platform calls processor-sim: with the AppHost's generated processor credential.</summary>
    public HttpClient CreateSimControlClient() => WithApiKey(App.CreateHttpClient("simcontrol"), processorApiKey);

    /// <summary>The fraud service as the API calls it: with the AppHost's generated internal key.</summary>
    public HttpClient CreateFraudClient() => WithApiKey(App.CreateHttpClient("fraud"), fraudApiKey);

    private static HttpClient WithApiKey(HttpClient client, string? key)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>A new api client signed in as the operator (tokens expire by the platform's clock, which QA can move).</summary>
    public async Task<HttpClient> CreateOperatorClientAsync(CancellationToken cancellationToken = default)
    {
        var password = operatorPassword;
        var client = App.CreateHttpClient("api");
        // The seeding runs as the API starts; a moment after health it is certainly there, but ask until it answers.
        for (var attempt = 0; ; attempt++)
        {
            var response = await client.PostAsJsonAsync("/v1/auth/login", new { email = OperatorEmail, password }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var tokens = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
                client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
                return client;
            }
            if (attempt == 20) throw new InvalidOperationException($"The operator could not sign in: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>The folder of the first e-mail of <paramref name="template"/> to <paramref name="recipient"/> the console sink wrote.</summary>
    public async Task<string> SunkEmailAsync(string recipient, string template, int seconds = 45)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            // The sink writes each e-mail into a ".…tmp" staging folder and renames it when complete: only the
            // renamed folders are e-mails (a staging folder vanishes between finding it and reading its body).
            var found = Directory.GetDirectories(EmailSinkDirectory).FirstOrDefault(folder =>
                !Path.GetFileName(folder).StartsWith('.')
                && File.Exists(Path.Combine(folder, "message.json"))
                && System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "message.json"))).RootElement is var m
                && m.GetProperty("template").GetString() == template
                && m.GetProperty("to").EnumerateArray().Any(t => t.GetString() == recipient));
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {template} e-mail to {recipient} was sunk.");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        if (dataDirectory is not null)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>
    /// Waiting by resource name returns as soon as one replica is healthy; this waits until every instance of
    /// every resource is, by following the notification stream (which starts with the current state of each instance).
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string>> WaitForEveryInstanceHealthyAsync(
        ResourceNotificationService notifications, CancellationToken cancellationToken)
    {
        var health = new Dictionary<string, (string Resource, HealthStatus? Status)>();
        await foreach (var resourceEvent in notifications.WatchAsync(cancellationToken))
        {
            if (!ResourceNames.Contains(resourceEvent.Resource.Name))
            {
                continue;
            }
            health[resourceEvent.ResourceId] = (resourceEvent.Resource.Name, resourceEvent.Snapshot.HealthStatus);
            var healthy = health.Where(h => h.Value.Status == HealthStatus.Healthy).ToList();
            if (ResourceNames.All(name => healthy.Count(h => h.Value.Resource == name) >= ExpectedInstances(name)))
            {
                return healthy.ToDictionary(h => h.Key, h => h.Value.Resource);
            }
        }
        throw new OperationCanceledException("The notification stream ended before every instance was healthy.");
    }
}
