using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Benchmarks.Authorize;

/// <summary>What capture-to-posted measured.</summary>
internal sealed record CaptureResult(List<double> Accepted, List<double> Posted, IReadOnlyDictionary<string, int> Problems);

/// <summary>
/// The outbox's latency as a client sees it: from a capture's 202 until <c>GET /v1/authorizations/{id}</c> shows the
/// operation succeeded, i.e. outbox pick-up, the processor call, its webhook and the webhook applied. One capture at a
/// time, so each figure is the path's own latency and not a queue behind other captures; the poll interval bounds the
/// resolution.
/// </summary>
internal static class CaptureToPosted
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);

    public static async Task<CaptureResult> RunAsync(HttpClient api, IReadOnlyList<Guid> cards, int count)
    {
        var problems = new Dictionary<string, int>();
        var authorizations = new List<Guid>(count);
        for (var i = 0; authorizations.Count < count && i < count + 100; i++)
        {
            using var response = await api.SendAsync(AuthorizeLoad.Request(cards[i % cards.Count], 1_000 + i % 4_000));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (response.StatusCode == HttpStatusCode.OK && body.GetProperty("status").GetString() == "approved")
            {
                authorizations.Add(body.GetProperty("id").GetGuid());
            }
            else
            {
                Count(problems, $"authorize not approved: {(int)response.StatusCode} {(body.TryGetProperty("responseCode", out var code) ? code.GetString() : "")}");
            }
        }

        var accepted = new List<double>(count);
        var posted = new List<double>(count);
        foreach (var authorization in authorizations)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/authorizations/{authorization}/capture") { Content = JsonContent.Create(new { }) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            var sent = Stopwatch.GetTimestamp();
            using var response = await api.SendAsync(request);
            var operation = await response.Content.ReadFromJsonAsync<JsonElement>();
            var answered = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Count(problems, $"capture HTTP {(int)response.StatusCode}");
                continue;
            }
            accepted.Add(Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds);
            var status = await WaitForOutcomeAsync(api, authorization, operation.GetProperty("id").GetGuid());
            if (status == "succeeded")
            {
                posted.Add(Stopwatch.GetElapsedTime(answered).TotalMilliseconds);
            }
            else
            {
                Count(problems, $"capture {status}");
            }
        }
        return new CaptureResult(accepted, posted, problems);
    }

    private static async Task<string> WaitForOutcomeAsync(HttpClient api, Guid authorization, Guid operationId)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < GiveUpAfter)
        {
            var details = await api.GetFromJsonAsync<JsonElement>($"/v1/authorizations/{authorization}");
            foreach (var operation in details.GetProperty("operations").EnumerateArray())
            {
                if (operation.GetProperty("id").GetGuid() != operationId) continue;
                var status = operation.GetProperty("status").GetString()!;
                if (status is "succeeded" or "failed") return status;
            }
            await Task.Delay(PollInterval);
        }
        return "not done after 30 s";
    }

    private static void Count(Dictionary<string, int> problems, string problem) => problems[problem] = problems.GetValueOrDefault(problem) + 1;
}
