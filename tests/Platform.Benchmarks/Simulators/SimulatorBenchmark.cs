extern alias simcontrol;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using simcontrol::Platform.SimControl.Settings;
using Platform.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Platform.Benchmarks.Simulators;

/// <summary>
/// processor-sim authorize against a WireMock.Net stub answering the same JSON, in the same run and on the same
/// machine, then the time a settings change on one SimControl instance takes to change behaviour on another.
/// Usage: <c>simulators [--seconds N] [--concurrency N] [--changes N]</c>.
/// </summary>
public static class SimulatorBenchmark
{
    private const string StubJson = """
        {"authorizationId":"auth_0198c2a4e3b07c2a9d7e5b1f3a2c4d6e","approved":true,"responseCode":"00","responseMessage":"Approved","amount":1000,"approvedAmount":1000,"currency":"USD","cardToken":"card_bench","createdAt":"2026-01-01T00:00:00+00:00"}
        """;

    private static readonly object AuthorizeBody = new
    {
        cardToken = "card_bench", amount = 1000, currency = "USD", merchant = new { name = "Bench Shop", mcc = "5411", country = "US" },
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 10);
        var concurrency = Option(args, "--concurrency", 16);
        var changes = Option(args, "--changes", 100);
        var warmUp = TimeSpan.FromSeconds(Option(args, "--warm-up", 15));

        Console.WriteLine($"simulators: {Environment.ProcessorCount} cores, {concurrency} concurrent callers, {seconds} s per target after {warmUp.TotalSeconds:0} s warm-up each, {changes} settings changes");
        var stores = new PlatformStoresFixture();
        await stores.InitializeAsync();
        try
        {
            var database = await stores.Postgres.CreateDatabaseAsync("bench");
            await using var first = SimControlHost.Start(database, stores.Redis.ConnectionString);
            await using var second = SimControlHost.Start(database, stores.Redis.ConnectionString);
            var store = first.Services.GetRequiredService<ISimulatorSettingsStore>();
            await store.ResetAsync(SettingsActor.System);
            var settings = await store.GetProcessorSettingsAsync();
            // Zero simulated latency: what is measured is the simulator's own cost, as with the stub.
            settings.LatencyMs = new LatencySettings();
            settings.ApprovalRate = 0.95;
            await store.UpdateProcessorSettingsAsync(settings, SettingsActor.System);

            using var wireMock = WireMockServer.Start();
            wireMock.Given(Request.Create().WithPath("/processor/v1/authorizations").UsingPost())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(StubJson));

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add(Platform.Testing.TestCredentials.ApiKeyHeader, Platform.Testing.TestCredentials.ProcessorApiKey);
            // Warm both up before measuring: connection pools, and the JIT, which goes on compiling hot code to its
            // final tier for several seconds under load (a perf profile of a 2 s warm-up found a fifth of the measured
            // run's CPU still in the compiler, counted against processor-sim, measured first).
            await LoadAsync(http, first.BaseAddress, concurrency, warmUp);
            await LoadAsync(http, new Uri(wireMock.Urls[0]), concurrency, warmUp);

            var sim = await LoadAsync(http, first.BaseAddress, concurrency, TimeSpan.FromSeconds(seconds));
            var stub = await LoadAsync(http, new Uri(wireMock.Urls[0]), concurrency, TimeSpan.FromSeconds(seconds));
            Console.WriteLine($"processor-sim authorize   : {sim}");
            Console.WriteLine($"WireMock.Net 1.25.0 stub  : {stub}");
            Console.WriteLine($"ratio sim/stub throughput : {sim.Throughput / stub.Throughput:0.00}");

            var (change, notified) = await PropagationAsync(http, store, second, changes);
            Console.WriteLine($"change on A → B's next request behaves differently: p50 {P(change, 0.5):0.0} ms, p99 {P(change, 0.99):0.0} ms (n={change.Count})");
            Console.WriteLine($"change on A → B notified by pub/sub             : p50 {P(notified, 0.5):0.0} ms, p99 {P(notified, 0.99):0.0} ms (n={notified.Count})");
            return 0;
        }
        finally
        {
            await stores.DisposeAsync();
        }
    }

    private sealed record LoadResult(long Requests, long Failures, double Throughput, double P50, double P99)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Throughput,8:0} req/s, p50 {P50:0.00} ms, p99 {P99:0.00} ms ({Requests} requests, {Failures} failed)");
    }

    private static async Task<LoadResult> LoadAsync(HttpClient http, Uri baseAddress, int concurrency, TimeSpan duration)
    {
        var uri = new Uri(baseAddress, "/processor/v1/authorizations");
        var body = JsonSerializer.SerializeToUtf8Bytes(AuthorizeBody);
        var latencies = new List<double>[concurrency];
        long failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(50_000);
            while (stopwatch.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new("application/json");
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        }));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        all.Sort();
        return new LoadResult(all.Count, failures, all.Count / elapsed, P(all, 0.5), P(all, 0.99));
    }

    /// <summary>
    /// Flips the approval rate between 0 and 1 on instance A and calls authorize on instance B until B's answer
    /// follows; the time runs from sending the change. Also times B's pub/sub notification.
    /// </summary>
    private static async Task<(List<double> Change, List<double> Notified)> PropagationAsync(
        HttpClient http, ISimulatorSettingsStore storeA, SimControlHost b, int changes)
    {
        var storeB = b.Services.GetRequiredService<ISimulatorSettingsStore>();
        var changeTimes = new List<double>();
        var notifyTimes = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            var approve = i % 2 == 0;
            var notified = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(object? sender, SettingsChangeNotification n) { if (n.Kind == SettingsChangeKinds.Processor) notified.TrySetResult(Stopwatch.GetTimestamp()); }
            storeB.Changed += OnChanged;
            var settings = await storeA.GetProcessorSettingsAsync();
            settings.ApprovalRate = approve ? 1 : 0;
            var started = Stopwatch.GetTimestamp();
            await storeA.UpdateProcessorSettingsAsync(settings, SettingsActor.System);
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(b.BaseAddress, "/processor/v1/authorizations")) { Content = JsonContent.Create(AuthorizeBody) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                using var response = await http.SendAsync(request);
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (answer.GetProperty("approved").GetBoolean() == approve) break;
            }
            changeTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var at = await notified.Task.WaitAsync(TimeSpan.FromSeconds(5));
            notifyTimes.Add(Stopwatch.GetElapsedTime(started, at).TotalMilliseconds);
            storeB.Changed -= OnChanged;
        }
        changeTimes.Sort();
        notifyTimes.Sort();
        return (changeTimes, notifyTimes);
    }

    private static double P(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }
}

/// <summary>A SimControl on a real loopback socket (Kestrel), as the AppHost would run it.</summary>
/// <remarks>
/// Typed by a public SimControl class rather than <c>Program</c>: the benchmark has its own top-level Program, and the
/// factory only needs a type from the application's assembly.
/// </remarks>
internal sealed class SimControlHost : WebApplicationFactory<ProcessorSettings>
{
    private readonly string database;
    private readonly string redis;

    private SimControlHost(string database, string redis)
    {
        this.database = database;
        this.redis = redis;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static SimControlHost Start(string database, string redis)
    {
        var host = new SimControlHost(database, redis);
        var port = FreePort();
        host.UseKestrel(port);
        host.StartServer();
        host.BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:platform", database);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Processor:WebhookSecret", "benchmark-webhook-secret-0123456789");
        builder.UseSetting("Processor:ApiKey", Platform.Testing.TestCredentials.ProcessorApiKey);
        builder.UseSetting("Bureau:ApiKey", Platform.Testing.TestCredentials.BureauApiKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
