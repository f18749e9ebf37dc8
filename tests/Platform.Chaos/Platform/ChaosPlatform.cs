using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Platform.Chaos.Faults;

namespace Platform.Chaos.Platform;

/// <summary>
/// The real platform, started through its AppHost in local mode: PostgreSQL and Redis as local processes in a
/// throwaway data folder, every service on a free port, two or more API replicas. Knows each resource instance's
/// state and process, and stops, starts and signals them.
/// </summary>
internal sealed class ChaosPlatform : IAsyncDisposable
{
    public static readonly string[] ServiceResources = ["postgres", "redis", "fraud", "simcontrol", "api"];

    private readonly ConcurrentDictionary<string, (string Resource, CustomResourceSnapshot Snapshot)> instances = new();
    private readonly ConcurrentDictionary<string, bool> expectedStops = new();
    private readonly ConcurrentQueue<string> unexpectedExits = new();
    private readonly CancellationTokenSource watching = new();
    private readonly DistributedApplication app;
    private readonly string dataDirectory;
    private readonly int replicas;
    private Task? watcher;

    private ChaosPlatform(DistributedApplication app, string dataDirectory, string emailDirectory, int replicas) =>
        (this.app, this.dataDirectory, EmailDirectory, this.replicas) = (app, dataDirectory, emailDirectory, replicas);

    public string EmailDirectory { get; }

    /// <summary>What the services logged as errors during the run.</summary>
    public ResourceErrorLog ServiceErrors { get; private init; } = null!;
    public string OperatorPassword { get; private set; } = "";

    /// <summary>The credential the AppHost generated for processor-sim's callers (the platform, and QA's scripts).</summary>
    public string ProcessorApiKey { get; private set; } = "";
    public Uri ApiAddress => app.GetEndpoint("api", "http");
    public Uri SimControlAddress => app.GetEndpoint("simcontrol", "http");

    public static async Task<ChaosPlatform> StartAsync(ChaosOptions options, CancellationToken cancellationToken)
    {
        // Under /tmp: the postgres account has to traverse the path to its data folder.
        var dataDirectory = Directory.CreateTempSubdirectory("platform-chaos-").FullName;
        var emailDirectory = Directory.CreateTempSubdirectory("platform-chaos-email-").FullName;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Platform_AppHost>(
        [
            "--Infrastructure:Mode=local",
            $"--LocalInfrastructure:DataDirectory={dataDirectory}",
            "--Ports:Api=0",
            "--Ports:SimControl=0",
            "--Ports:Fraud=0",
            $"--Api:Replicas={options.Replicas}",
        ], (app, _) => app.DisableDashboard = !options.Dashboard, cancellationToken);
        var errors = new ResourceErrorLog(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"platform-chaos-{options.Seed}-service-errors.log"));
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning)
            // Health probes fail by design while a fault is on; resources' own output goes to the error log only.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("Aspire.Hosting", LogLevel.Error)
            .AddFilter("Platform.AppHost.Resources", LogLevel.None)
            .AddFilter<ResourceErrorLog>("Platform.AppHost.Resources", LogLevel.Trace)
            .AddProvider(errors));
        var api = builder.CreateResourceBuilder<ProjectResource>("api");
        if (options.MaxInFlight is { } maxInFlight)
            api.WithEnvironment("Authorizations__MaxInFlight", maxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture));
        api
            .WithEnvironment("Authorizations__BudgetMs", options.BudgetMs.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Processor__AuthorizeTimeoutMs", Math.Min(5_000, options.BudgetMs).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Email__SinkDirectory", emailDirectory)
            .WithEnvironment("TestClock__Enabled", "true")
            // Retries capped at seconds rather than minutes, so the heal converges within the run; abandoned
            // authorizations (an instance killed mid-flight) are settled after 10 s instead of 30.
            .WithEnvironment("Outbox__RetryMaxMs", "5000")
            .WithEnvironment("Authorizations__ReversalRetryMaxMs", "5000")
            .WithEnvironment("Authorizations__AbandonedAfterSeconds", "10")
            .WithEnvironment("Authorizations__SweepIntervalMs", "1000")
            // Holds expire after 2 hours in this run, so each move of the test clock stays small: reconciliation
            // reads at most 31 days, and its window has to span the moved clock and processor-sim's real one.
            .WithEnvironment("Authorizations__HoldExpiryMinutes", FaultInjector.HoldExpiryMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.CreateResourceBuilder<ProjectResource>("simcontrol")
            .WithEnvironment("Processor__WebhookRetryMaxMs", "5000")
            // A simulated timeout holds its request until the caller gives up; 30 s is longer than any caller waits.
            .WithEnvironment("Simulators__TimeoutHoldMs", "30000");
        builder.CreateResourceBuilder<ProjectResource>("fraud").WithEnvironment("Fraud__TransactionVelocityTimeoutMs", "250");

        var app = await builder.BuildAsync(cancellationToken);
        var platform = new ChaosPlatform(app, dataDirectory, emailDirectory, options.Replicas) { ServiceErrors = errors };
        await app.StartAsync(cancellationToken);
        platform.watcher = platform.WatchAsync(platform.watching.Token);
        await platform.WaitAllHealthyAsync(TimeSpan.FromMinutes(4), cancellationToken);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        async Task<string> Parameter(string name) => (await model.Resources.OfType<ParameterResource>().Single(p => p.Name == name).GetValueAsync(cancellationToken))!;
        platform.OperatorPassword = await Parameter("operator-password");
        platform.ProcessorApiKey = await Parameter("processor-api-key");
        return platform;
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (!ServiceResources.Contains(e.Resource.Name)) continue;
                var stoppedNow = e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state);
                if (stoppedNow && !HasStopped(e.ResourceId) && !expectedStops.ContainsKey(e.ResourceId) && !watching.IsCancellationRequested)
                    unexpectedExits.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {e.ResourceId} {e.Snapshot.State?.Text} (exit code {e.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");
                instances[e.ResourceId] = (e.Resource.Name, e.Snapshot);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Instances that stopped when no fault stopped them (a service that fell over by itself).</summary>
    public IReadOnlyCollection<string> UnexpectedExits => unexpectedExits;

    /// <summary>A fault is about to stop this instance: its exit is not a finding.</summary>
    public void ExpectStop(string instanceId) => expectedStops[instanceId] = true;

    /// <summary>The instance is running again after a fault stopped it.</summary>
    public void Restarted(string instanceId) => expectedStops.TryRemove(instanceId, out _);

    /// <summary>Instance ids of a resource (one per replica), in a stable order.</summary>
    public IReadOnlyList<string> Instances(string resource) =>
        instances.Where(i => i.Value.Resource == resource).Select(i => i.Key).Order(StringComparer.Ordinal).ToList();

    public int? Pid(string instanceId) =>
        instances.TryGetValue(instanceId, out var i) && int.TryParse(i.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value?.ToString(), out var pid)
            ? pid : null;

    public bool IsHealthy(string instanceId) =>
        instances.TryGetValue(instanceId, out var i) && i.Snapshot.State?.Text == KnownResourceStates.Running && i.Snapshot.HealthStatus == HealthStatus.Healthy;

    public bool HasStopped(string instanceId) =>
        instances.TryGetValue(instanceId, out var i) && i.Snapshot.State?.Text is { } s && KnownResourceStates.TerminalStates.Contains(s);

    /// <summary>Runs the orchestrator's command, trying a few times: it can refuse while the instance is still settling.</summary>
    public async Task<bool> ExecuteAsync(string instanceId, string command, CancellationToken cancellationToken)
    {
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        for (var attempt = 1; ; attempt++)
        {
            var result = await commands.ExecuteCommandAsync(instanceId, command, cancellationToken);
            if (result.Success || attempt == 3) return result.Success;
            await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
        }
    }

    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting: {what}.");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Every instance of every service running and healthy (the API with all its replicas).</summary>
    public bool AllHealthy() => ServiceResources.All(r =>
    {
        var ids = Instances(r);
        return ids.Count >= (r == "api" ? replicas : 1) && ids.All(IsHealthy);
    });

    public Task WaitAllHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(AllHealthy, timeout, "every resource healthy", cancellationToken);

    /// <summary>Starts any instance that is not running (a fault that went wrong halfway) and resumes any paused process.</summary>
    public async Task RepairAsync(CancellationToken cancellationToken)
    {
        ResumeAll();
        foreach (var id in instances.Keys.Where(HasStopped))
            await ExecuteAsync(id, KnownResourceCommands.StartCommand, cancellationToken);
        expectedStops.Clear();
    }

    /// <summary>SIGCONT to every process of every instance: a paused process cannot even be stopped.</summary>
    private void ResumeAll()
    {
        foreach (var id in instances.Keys)
        {
            if (Pid(id) is not { } pid) continue;
            foreach (var process in ProcessSignals.Tree(pid)) ProcessSignals.Send(process, ProcessSignals.SigCont);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await watching.CancelAsync();
        ResumeAll();
        await app.StopAsync();
        if (watcher is not null) await watcher;
        await app.DisposeAsync();
        foreach (var directory in new[] { dataDirectory, EmailDirectory })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
