using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Platform.Benchmarks.Authorize;

/// <summary>How processor-sim answers during a measurement: every authorization approved, no errors or timeouts.</summary>
internal sealed record ProcessorProfile(string Label, int LatencyMin, int LatencyMedian, int LatencyP99, int WebhookDelayMs)
{
    /// <summary>What the platform itself costs: the processor answers at once.</summary>
    public static readonly ProcessorProfile Zero = new("processor latency 0", 0, 0, 0, 0);

    /// <summary>processor-sim's defaults (ProcessorSettings.LatencyMs): a realistic network processor.</summary>
    public static readonly ProcessorProfile Default = new("processor default latency", 5, 20, 80, 0);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"latency min {LatencyMin}/median {LatencyMedian}/p99 {LatencyP99} ms, webhookDelayMs {WebhookDelayMs}");

    public string Json() => string.Create(CultureInfo.InvariantCulture, $$"""
        {"approvalRate":1,"partialApprovalRate":0,"errorRate":0,"timeoutRate":0,"webhookFailureRate":0,"failFirstCalls":0,
         "latencyMs":{"min":{{LatencyMin}},"median":{{LatencyMedian}},"p99":{{LatencyP99}}},"webhookDelayMs":{{WebhookDelayMs}}}
        """);
}

/// <summary>
/// The running stack as the authorize benchmark drives it: health, processor-sim settings through the control API,
/// and the accounts with one active card each that the load spreads over.
/// </summary>
internal sealed class BenchStack(Uri api, Uri simControl, int maxConcurrency) : IDisposable
{
    private static readonly TimeSpan CardActivationTimeout = TimeSpan.FromSeconds(60);

    // Callers plus the capture poller: no request should wait for a free connection inside the client.
    public HttpClient Api { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = maxConcurrency + 8, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = api, Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly HttpClient control = new() { BaseAddress = simControl, Timeout = TimeSpan.FromSeconds(30) };

    public async Task RequireHealthyAsync()
    {
        foreach (var (client, name) in new[] { (Api, "api"), (control, "simcontrol") })
        {
            var body = await client.GetStringAsync("/health");
            // Either the plain word or the detailed JSON; "Unhealthy" contains the word, so compare the status itself.
            var status = body.TrimStart().StartsWith('{') ? JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() : body.Trim();
            if (status != "Healthy") throw new InvalidOperationException($"{name} {client.BaseAddress} health says: {body}");
        }
    }

    public async Task SetProcessorAsync(ProcessorProfile profile)
    {
        using var content = new StringContent(profile.Json(), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/sim/v1/processor/settings") { Content = content };
        request.Headers.Add("X-Sim-Actor", "benchmark");
        using var response = await control.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"PUT processor settings: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task ResetSimulatorsAsync()
    {
        using var response = await control.PostAsync("/sim/v1/reset", null);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Opens <paramref name="count"/> accounts with a generous limit and one virtual card each, and waits until every
    /// card is active. One card per account so that the load measures the platform, not one account row's lock queue.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> OpenCardsAsync(int count)
    {
        var cards = new Guid[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            using var opened = await Api.PostAsJsonAsync("/v1/accounts", new { currency = "USD", creditLimit = 100_000_000L, ownerReference = BenchOwner });
            var account = await Expect(opened, HttpStatusCode.Created, "POST /v1/accounts");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/accounts/{account.GetProperty("id").GetGuid()}/cards")
            {
                Content = JsonContent.Create(new { type = "virtual", cardholderName = "BENCH CARD" }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            using var issued = await Api.SendAsync(request);
            var card = await Expect(issued, HttpStatusCode.Accepted, "POST /v1/accounts/{id}/cards");
            cards[i] = card.GetProperty("id").GetGuid();
        });

        var deadline = DateTime.UtcNow + CardActivationTimeout + TimeSpan.FromMilliseconds(count * 5);
        foreach (var card in cards)
        {
            while (true)
            {
                var status = (await Api.GetFromJsonAsync<JsonElement>($"/v1/cards/{card}")).GetProperty("status").GetString();
                if (status == "active") break;
                if (status is "failed" or "closed" || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"card {card} is {status}, not active (is processor-sim delivering webhooks to the API?)");
                await Task.Delay(20);
            }
        }
        return cards;
    }

    /// <summary>The owner the benchmark's accounts are opened for, so later runs find and reuse their cards.</summary>
    public const string BenchOwner = "benchmark-cards";

    /// <summary>
    /// At least <paramref name="count"/> active benchmark cards: those earlier runs left in the database (read directly,
    /// as the set-up of ten thousand takes minutes), topped up through the API.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> CardsAsync(string postgres, int count)
    {
        var cards = new List<Guid>(count);
        await using (var connection = new Npgsql.NpgsqlConnection(postgres))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("""
                select c.card_id from core.cards c join core.accounts a on a.account_id = c.account_id
                where c.status = 'active' and a.status = 'open' and a.owner_reference = $1 limit $2
                """, connection) { Parameters = { new() { Value = BenchOwner }, new() { Value = count } } };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) cards.Add(reader.GetGuid(0));
        }
        if (cards.Count < count) cards.AddRange(await OpenCardsAsync(count - cards.Count));
        return cards;
    }

    public static async Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected) throw new InvalidOperationException($"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public void Dispose()
    {
        Api.Dispose();
        control.Dispose();
    }
}
