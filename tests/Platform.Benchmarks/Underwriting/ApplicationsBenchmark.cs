using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Benchmarks.Underwriting;

/// <summary>
/// Application decision latency through the API of a running stack (<c>dotnet run --project Platform.AppHost</c>):
/// each request is a new applicant (fraud score, hard pull at bureau-sim, decision, and on approval account + card in
/// one transaction). Reports round-trip p50/p99 per outcome at a stated concurrency.
/// Usage: <c>applications [--url http://localhost:5100] [--requests N] [--concurrency N] [--warmup N]</c>.
/// </summary>
public static class ApplicationsBenchmark
{
    private static readonly string[] FirstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Leslie"];
    private static readonly string[] LastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Wirth", "Perlman", "Lamport"];

    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(Text(args, "--url") ?? "http://localhost:5100");
        var requests = Option(args, "--requests", 300);
        var concurrency = Option(args, "--concurrency", 4);
        var warmup = Option(args, "--warmup", 20);

        Console.WriteLine($"applications: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {LoadAverage()}");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var client = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        await OperatorSignIn.SignInAsync(client, args);

        await LoadAsync(client, warmup, Math.Min(concurrency, warmup));
        var (results, elapsed) = await LoadAsync(client, requests, concurrency);

        Console.WriteLine($"POST /v1/applications on {url} with {concurrency} concurrent callers, {requests} new applicants (client and stack share this machine):");
        Console.WriteLine($"  all          {LatencyStats.From(results.Select(r => r.Milliseconds).ToList()).Format("ms")}  {requests / elapsed.TotalSeconds,6:0.0} applications/s");
        foreach (var outcome in results.GroupBy(r => r.Outcome).OrderByDescending(g => g.Count()))
        {
            Console.WriteLine($"  {outcome.Key,-12} {LatencyStats.From(outcome.Select(r => r.Milliseconds).ToList()).Format("ms")}");
        }
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return results.Any(r => r.Outcome.StartsWith("http-", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static async Task<(List<(string Outcome, double Milliseconds)> Results, TimeSpan Elapsed)> LoadAsync(HttpClient client, int count, int concurrency)
    {
        var results = new ConcurrentBag<(string, double)>();
        var next = -1;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var body = NewApplicant();
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync("/v1/applications", body);
                var outcome = response.IsSuccessStatusCode
                    ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()!
                    : "http-" + (int)response.StatusCode;
                results.Add((outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        })));
        return (results.ToList(), wall.Elapsed);
    }

    /// <summary>A new person each time (distinct issuable SSN, name, e-mail, phone), with a score bureau-sim draws.</summary>
    private static object NewApplicant()
    {
        var first = FirstNames[RandomNumberGenerator.GetInt32(FirstNames.Length)];
        var last = LastNames[RandomNumberGenerator.GetInt32(LastNames.Length)];
        return new
        {
            firstName = first,
            lastName = last,
            dateOfBirth = new DateOnly(1960, 1, 1).AddDays(RandomNumberGenerator.GetInt32(0, 365 * 40)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ssn = string.Create(CultureInfo.InvariantCulture,
                $"{RandomNumberGenerator.GetInt32(100, 666):000}{RandomNumberGenerator.GetInt32(1, 100):00}{RandomNumberGenerator.GetInt32(1, 10_000):0000}"),
            address = new { line1 = "12 Analytical Row", city = "Boston", state = "MA", postalCode = "02110" },
            email = $"{first}.{last}.{RandomNumberGenerator.GetInt32(100_000, 999_999)}@example.com".ToLowerInvariant(),
            phone = "+1555" + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture),
            annualIncome = RandomNumberGenerator.GetInt32(40_000, 200_000) * 100L,
            monthlyHousingCost = RandomNumberGenerator.GetInt32(500, 3_000) * 100L,
            currency = "USD",
        };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int Option(string[] args, string name, int fallback) =>
        Text(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? Text(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
