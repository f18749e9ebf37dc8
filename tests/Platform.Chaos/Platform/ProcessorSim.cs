using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Chaos.Platform;

/// <summary>processor-sim's control API and its own records, as QA reaches them over HTTP.</summary>
internal sealed class ProcessorSim : IDisposable
{
    private readonly HttpClient http;

    public ProcessorSim(Uri simControl, string apiKey)
    {
        http = new HttpClient { BaseAddress = simControl, Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    /// <summary>Settings changes the simulator failed (answered neither 2xx nor 400); they were retried.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> OddAnswers { get; } = new();

    /// <summary>Changes the settings, retrying while simcontrol (or the Redis it keeps them in) is down; false if it never took.</summary>
    public async Task<bool> PutSettingsAsync(JsonObject settings, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, "/sim/v1/processor/settings")
                {
                    Content = new StringContent(settings.ToJsonString(), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Sim-Actor", "chaos");
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode) return true;
                if (response.StatusCode == System.Net.HttpStatusCode.BadRequest)
                    throw new InvalidOperationException($"processor-sim refused the settings: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                // Anything else is the simulator failing inside (a 5xx, or the 405 its error page gives a failed PUT): try again.
                OddAnswers.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} PUT settings {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>Every authorization processor-sim recorded in [from, to), newest first, read page by page.</summary>
    public async Task<IReadOnlyList<JsonElement>> AuthorizationsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, JsonElement>();
        var upTo = to;
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(
                $"/processor/v1/authorizations?limit=1000&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(upTo.ToString("O"))}", cancellationToken);
            var added = 0;
            var oldest = upTo;
            foreach (var record in page.EnumerateArray())
            {
                if (all.TryAdd(record.GetProperty("authorizationId").GetString()!, record.Clone())) added++;
                var created = record.GetProperty("createdAt").GetDateTimeOffset();
                if (created < oldest) oldest = created;
            }
            if (page.GetArrayLength() < 1000 || added == 0) break;
            // Records stamped in the same microsecond as the oldest are read again on the next page and deduplicated.
            upTo = oldest.AddTicks(10);
        }
        return all.Values.ToList();
    }

    /// <summary>Operations still to complete and webhooks still to deliver: what the processor has in flight.</summary>
    public async Task<(int Operations, int Webhooks)> InFlightAsync(CancellationToken cancellationToken)
    {
        var operations = await http.GetFromJsonAsync<JsonElement>("/processor/v1/operations?status=pending&limit=1000", cancellationToken);
        var webhooks = await http.GetFromJsonAsync<JsonElement>("/processor/v1/webhooks?status=pending&limit=1000", cancellationToken);
        return (operations.GetArrayLength(), webhooks.GetArrayLength());
    }

    public async Task<JsonElement> StatsAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<JsonElement>("/sim/v1/stats", cancellationToken);

    public void Dispose() => http.Dispose();
}
