using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Platform.Benchmarks.Authorize;

/// <summary>What a closed-loop run produced: every answered request's latency, and the answers counted by kind.</summary>
internal sealed record LoadResult(double Seconds, List<double> Latencies, IReadOnlyDictionary<string, long> Outcomes)
{
    public double Throughput => Latencies.Count / Seconds;

    /// <summary>Answers that decided the purchase (<see cref="AuthorizationAnswer.IsServed"/>) per second.</summary>
    public double ServedPerSecond => Outcomes.Where(o => AuthorizationAnswer.IsServed(o.Key)).Sum(o => o.Value) / Seconds;

    public string OutcomeSummary => Outcomes.Count == 0 ? "none"
        : string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key} {o.Value}")));
}

/// <summary>
/// N callers, each sending its next <c>POST /v1/authorizations</c> as soon as the last one answered, over cards taken
/// round-robin, for a fixed time. Amounts stay at or under 5000 minor units, the fraud fallback's threshold, so an
/// unanswered fraud check does not turn into a decline.
/// </summary>
internal static class AuthorizeLoad
{
    private const int MaxAmount = 5_000;

    public static async Task<LoadResult> RunAsync(HttpClient api, IReadOnlyList<Guid> cards, int concurrency, TimeSpan duration)
    {
        var next = -1L;
        var outcomes = new Dictionary<string, long>[concurrency];
        var latencies = new List<double>[concurrency];
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            var counted = outcomes[worker] = [];
            while (wall.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                using var request = Request(cards[(int)(i % cards.Count)], 100 + i % (MaxAmount - 99));
                var started = Stopwatch.GetTimestamp();
                string outcome;
                try
                {
                    using var response = await api.SendAsync(request);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    outcome = AuthorizationAnswer.Describe(response, body);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    outcome = "client " + ex.GetType().Name;
                }
                counted[outcome] = counted.GetValueOrDefault(outcome) + 1;
            }
        })));
        wall.Stop();
        var merged = outcomes.SelectMany(o => o).GroupBy(o => o.Key).ToDictionary(g => g.Key, g => g.Sum(o => o.Value));
        return new LoadResult(wall.Elapsed.TotalSeconds, latencies.SelectMany(l => l).ToList(), merged);
    }

    public static HttpRequestMessage Request(Guid card, long amount)
    {
        var json = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"cardId":"{{{card}}}","amount":{{{amount}}},"currency":"USD","merchant":{"name":"Bench Store","mcc":"5411","country":"US"}}""");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/authorizations") { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }
}
