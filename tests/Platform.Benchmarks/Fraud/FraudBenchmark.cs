extern alias fraud;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using fraud::Platform.Fraud.Features;
using fraud::Platform.Fraud.Scoring;
using fraud::Platform.Fraud.Training;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Testing;
using StackExchange.Redis;

namespace Platform.Benchmarks.Fraud;

/// <summary>
/// Fraud scoring latency. In process: the model path alone (features, pooled prediction engine, reasons) on one
/// thread and on every core, then the whole scorer with velocity in a real Redis. Over HTTP: the fraud service
/// started in this process on a free port (Kestrel, a throwaway Redis from Platform.Testing) or a running one
/// (<c>--url</c>), hit by N concurrent callers with realistic transactions and applications.
/// Usage: <c>fraud [--iterations N] [--requests N] [--concurrency N] [--url http://host:port]</c>.
/// </summary>
public static class FraudBenchmark
{
    private const string HashKey = "benchmark-velocity-hash-key-0123456789abcdef";

    public static async Task<int> RunAsync(string[] args)
    {
        var iterations = Option(args, "--iterations", 100_000);
        var requests = Option(args, "--requests", 20_000);
        var concurrency = Option(args, "--concurrency", 16);
        var url = Text(args, "--url");

        Console.WriteLine($"fraud: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        var transactions = SampleTransactions();
        var applications = SampleApplications();

        InProcessModelPath(transactions, applications, iterations);
        await using (var redis = await LocalRedisServer.StartAsync())
        {
            await InProcessWithRedisAsync(transactions, redis, Math.Min(iterations, 20_000));
            if (url is null)
            {
                await using var service = new KestrelFraudService(redis.ConnectionString);
                await OverHttpAsync(service.Start(), transactions, applications, requests, concurrency);
            }
        }
        if (url is not null)
        {
            await OverHttpAsync(new Uri(url), transactions, applications, requests, concurrency);
        }
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return 0;
    }

    /// <summary>Features, pooled engine, reasons: what a score costs once velocity is known.</summary>
    private static void InProcessModelPath(List<(TransactionEvent Event, CardVelocity Velocity)> transactions,
        List<(ApplicationEvent Event, ApplicationVelocity Velocity)> applications, int iterations)
    {
        var scorer = Scorer(new InMemoryVelocityStore());
        Console.WriteLine();
        Console.WriteLine($"in process, model path (features + pooled PredictionEngine + reasons), {iterations} scores each:");

        for (var i = 0; i < 20_000; i++)
        {
            var (e, v) = transactions[i % transactions.Count];
            scorer.ScoreTransaction(e, v, false, Stopwatch.GetTimestamp());
        }
        var latencies = new double[iterations];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var (e, v) = transactions[i % transactions.Count];
            var started = Stopwatch.GetTimestamp();
            scorer.ScoreTransaction(e, v, false, started);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        wall.Stop();
        var perScore = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
        Console.WriteLine($"  transaction, 1 thread    {LatencyStats.From(latencies).Format("us")}  {iterations / wall.Elapsed.TotalSeconds,9:0} /s  {perScore,6:0} B/score");

        latencies = new double[iterations];
        allocated = GC.GetAllocatedBytesForCurrentThread();
        wall.Restart();
        for (var i = 0; i < iterations; i++)
        {
            var (e, v) = applications[i % applications.Count];
            var started = Stopwatch.GetTimestamp();
            scorer.ScoreApplication(e, v, false, started);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        wall.Stop();
        perScore = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)iterations;
        Console.WriteLine($"  application, 1 thread    {LatencyStats.From(latencies).Format("us")}  {iterations / wall.Elapsed.TotalSeconds,9:0} /s  {perScore,6:0} B/score");

        var threads = Environment.ProcessorCount;
        latencies = new double[iterations];
        wall.Restart();
        Parallel.For(0, iterations, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var (e, v) = transactions[i % transactions.Count];
            var started = Stopwatch.GetTimestamp();
            scorer.ScoreTransaction(e, v, false, started);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        });
        wall.Stop();
        Console.WriteLine($"  transaction, {threads} threads   {LatencyStats.From(latencies).Format("us")}  {iterations / wall.Elapsed.TotalSeconds,9:0} /s");
    }

    /// <summary>The whole scorer: one Redis script call for velocity, then the model path.</summary>
    private static async Task InProcessWithRedisAsync(List<(TransactionEvent Event, CardVelocity Velocity)> transactions,
        LocalRedisServer redis, int iterations)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var scorer = Scorer(new RedisVelocityStore(connection, new IdentityHasher(HashKey)));
        Console.WriteLine();
        Console.WriteLine($"in process with velocity in a local Redis (one Lua script call per score), {iterations} scores, 1 caller:");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var latencies = new double[iterations];
        var degraded = 0;
        for (var i = -2_000; i < iterations; i++)
        {
            var e = transactions[(i + 2_000) % transactions.Count].Event with { EventId = "b" + i, OccurredAtMs = now + i };
            var started = Stopwatch.GetTimestamp();
            var score = await scorer.ScoreTransactionAsync(e, default);
            if (i >= 0)
            {
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                degraded += score.Degraded ? 1 : 0;
            }
        }
        Console.WriteLine($"  transaction + Redis      {LatencyStats.From(latencies).Format("ms")}  degraded {degraded}");
    }

    private static async Task OverHttpAsync(Uri baseAddress, List<(TransactionEvent Event, CardVelocity Velocity)> transactions,
        List<(ApplicationEvent Event, ApplicationVelocity Velocity)> applications, int requests, int concurrency)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add(Platform.Testing.TestCredentials.ApiKeyHeader, Platform.Testing.TestCredentials.FraudApiKey);
        var transactionBodies = transactions.Take(5_000).Select(t => TransactionBody(t.Event)).ToArray();
        var applicationBodies = applications.Take(5_000).Select(a => ApplicationBody(a.Event)).ToArray();

        Console.WriteLine();
        Console.WriteLine($"over HTTP/1.1 to {baseAddress} with {concurrency} concurrent callers (client and service share this machine):");
        // The service's first requests, before any warm-up traffic: what its own start-up warm-up leaves to pay.
        // (The round trip also includes this client's first connection and JIT.)
        var (first, firstServer, _, _, _) = await LoadAsync(client, "/v1/score/transaction", transactionBodies, 1, 1);
        var (second, secondServer, _, _, _) = await LoadAsync(client, "/v1/score/application", applicationBodies, 1, 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  first transaction: {first[0]:0.00} ms round trip, {firstServer[0]:0.000} ms in service; first application: {second[0]:0.00} ms round trip, {secondServer[0]:0.000} ms in service"));
        await LoadAsync(client, "/v1/score/transaction", transactionBodies, Math.Min(2_000, requests), concurrency); // warm-up
        foreach (var (label, path, bodies, count) in new[]
        {
            ("transaction", "/v1/score/transaction", transactionBodies, requests),
            ("application", "/v1/score/application", applicationBodies, Math.Max(1, requests / 4)),
        })
        {
            var (latencies, serverTimes, failures, degraded, elapsed) = await LoadAsync(client, path, bodies, count, concurrency);
            Console.WriteLine($"  {label,-12} round trip {LatencyStats.From(latencies).Format("ms")}  {count / elapsed.TotalSeconds,7:0} req/s  failed {failures}  degraded {degraded}");
            Console.WriteLine($"  {label,-12} in service {LatencyStats.From(serverTimes).Format("ms")}");
        }
        await LoadAsync(client, "/v1/score/transaction", transactionBodies, 500, 1);
        var (single, singleServer, _, _, _) = await LoadAsync(client, "/v1/score/transaction", transactionBodies, Math.Min(5_000, requests), 1);
        Console.WriteLine($"  transaction, 1 caller    {LatencyStats.From(single).Format("ms")}");
        Console.WriteLine($"  ... in service           {LatencyStats.From(singleServer).Format("ms")}");
    }

    private static async Task<(List<double> Latencies, List<double> ServerTimes, int Failures, int Degraded, TimeSpan Elapsed)> LoadAsync(
        HttpClient client, string path, byte[][] bodies, int count, int concurrency)
    {
        var next = -1;
        var failures = 0;
        var degraded = 0;
        var perWorker = new List<(double, double)>[concurrency];
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = perWorker[worker] = new List<(double, double)>(count / concurrency + 1);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var content = new ByteArrayContent(bodies[i % bodies.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(path, content);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.GetProperty("degraded").GetBoolean())
                {
                    Interlocked.Increment(ref degraded);
                }
                mine.Add((elapsed, json.RootElement.GetProperty("scoringTimeMs").GetDouble()));
            }
        })));
        wall.Stop();
        var all = perWorker.SelectMany(w => w).ToList();
        return (all.Select(x => x.Item1).ToList(), all.Select(x => x.Item2).ToList(), failures, degraded, wall.Elapsed);
    }

    private static byte[] TransactionBody(TransactionEvent e) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        transactionId = Guid.NewGuid().ToString("N"),
        cardId = e.CardId,
        amount = e.AmountMinor,
        currency = e.Currency,
        merchantId = e.MerchantId,
        merchantCategoryCode = e.MerchantCategoryCode.ToString("0000", CultureInfo.InvariantCulture),
        merchantCountry = e.MerchantCountry,
        cardCountry = e.CardCountry,
        channel = TransactionChannels.Names[(int)e.Channel],
        deviceId = e.DeviceId,
    });

    private static byte[] ApplicationBody(ApplicationEvent e) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        applicationId = Guid.NewGuid().ToString("N"),
        firstName = e.FirstName,
        lastName = e.LastName,
        dateOfBirth = e.DateOfBirth,
        ssn = e.SsnDigits,
        ssnIssuedYear = e.SsnIssuedYear,
        email = e.Email,
        phone = e.PhoneDigits,
        addressCountry = e.AddressCountry,
        monthsAtAddress = e.MonthsAtAddress,
        annualIncome = e.AnnualIncomeMinor,
        currency = "USD",
        ipCountry = e.IpCountry,
        deviceId = e.DeviceId,
    });

    private static List<(TransactionEvent, CardVelocity)> SampleTransactions()
    {
        var velocity = new InMemoryVelocityStore();
        return TransactionDataGenerator.Generate(seed: 4242, cards: 400, days: 10)
            .Select(t => (t.Event, velocity.RecordTransaction(t.Event))).ToList();
    }

    private static List<(ApplicationEvent, ApplicationVelocity)> SampleApplications()
    {
        var velocity = new InMemoryVelocityStore();
        return ApplicationDataGenerator.Generate(seed: 4242, applicants: 5_000, days: 30)
            .Select(a => (a.Event, velocity.RecordApplication(a.Event))).ToList();
    }

    private static FraudScorer Scorer(IVelocityStore store)
    {
        var options = Options.Create(new FraudOptions { VelocityHashKey = HashKey });
        var models = new FraudModels(options);
        models.Transaction.Warm(options.Value.PredictionEnginesPerModel);
        models.Application.Warm(options.Value.PredictionEnginesPerModel);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new FraudScorer(models, new VelocityReader(store, options, NullLogger<VelocityReader>.Instance), new FraudTelemetry(meters));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Option(string[] args, string name, int fallback)
    {
        var value = Text(args, name);
        return value is null ? fallback : int.Parse(value, CultureInfo.InvariantCulture);
    }

    private static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>The fraud service on Kestrel, on a free loopback port, in this process.</summary>
    private sealed class KestrelFraudService(string redisConnectionString) : WebApplicationFactory<fraud::Program>
    {
        public Uri Start()
        {
            UseKestrel(0);
            StartServer();
            var address = Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseUrls("http://127.0.0.1:0");
            builder.UseSetting("ConnectionStrings:redis", redisConnectionString);
            builder.UseSetting("ConnectionStrings:platform", "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none");
            builder.UseSetting("Fraud:VelocityHashKey", HashKey);
            builder.UseSetting("Fraud:ApiKey", Platform.Testing.TestCredentials.FraudApiKey);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
