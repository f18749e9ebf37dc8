using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Platform.Chaos.Workload;

/// <summary>What came back for one request: a status and body, or nothing (<see cref="Status"/> null) when no answer arrived.</summary>
public sealed record Answer(int? Status, JsonElement? Body, string? Error, bool Replayed, DateTimeOffset At)
{
    public TimeSpan? RetryAfter { get; init; }

    public bool Received => Status is not null;

    /// <summary>A 5xx or no answer at all: whether the request took effect is unknown until it is read back.</summary>
    public bool Inconclusive => Status is null or >= 500;

    public string? Text(string property) => Body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public override string ToString() => Status is null ? $"no answer ({Error})" : $"{Status} {Body?.GetRawText() ?? ""}";
}

/// <summary>
/// One signed-in user of the public API (a customer or the operator) on its own connection pool. A 401 means the
/// token expired (by the platform's clock, which the run moves): it signs in again and sends the same request once
/// more, which is safe because a refused request did nothing.
/// </summary>
internal sealed class ApiSession(Uri api, string email, string password, TimeSpan timeout) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { BaseAddress = api, Timeout = timeout };
    private readonly SemaphoreSlim signingIn = new(1, 1);
    private string? token;

    public string Email => email;

    public Task<Answer> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, null, cancellationToken);

    public Task<Answer> PostAsync(string path, string? json, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, json, idempotencyKey, cancellationToken);

    public Task<Answer> PutAsync(string path, string json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, json, null, cancellationToken);

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? json, string? idempotencyKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = token;
            var answer = await SendOnceAsync(method, path, json, idempotencyKey, current, cancellationToken);
            if (answer.Status != (int)HttpStatusCode.Unauthorized || attempt > 0) return answer;
            if (!await SignInAsync(current, cancellationToken))
                return answer with { Status = null, Error = "could not sign in again" };
        }
    }

    /// <summary>Signs in unless another request already did since <paramref name="staleToken"/>; retries while the API is down.</summary>
    public async Task<bool> SignInAsync(string? staleToken, CancellationToken cancellationToken)
    {
        await signingIn.WaitAsync(cancellationToken);
        try
        {
            if (token != staleToken) return true;
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                var answer = await SendOnceAsync(HttpMethod.Post, "/v1/auth/login", JsonSerializer.Serialize(new { email, password }), null, null, cancellationToken);
                if (answer.Status == 200 && answer.Text("accessToken") is { } accessToken)
                {
                    token = accessToken;
                    return true;
                }
                if (answer.Status is 400 or 401 or 403) return false;
                // Sign-in is rate limited per address: a 429 says when to come back.
                await Task.Delay(answer.Status == 429 ? answer.RetryAfter ?? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(500), cancellationToken);
            }
            return false;
        }
        finally
        {
            signingIn.Release();
        }
    }

    private async Task<Answer> SendOnceAsync(HttpMethod method, string path, string? json, string? idempotencyKey, string? bearer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement? body = null;
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
            {
                try
                {
                    body = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                }
            }
            return new Answer((int)response.StatusCode, body, body is null && text.Length > 0 ? text[..Math.Min(200, text.Length)] : null,
                response.Headers.Contains("Idempotent-Replayed"), DateTimeOffset.UtcNow) { RetryAfter = response.Headers.RetryAfter?.Delta };
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new Answer(null, null, ex.GetType().Name + ": " + ex.Message, false, DateTimeOffset.UtcNow);
        }
    }

    public void Dispose()
    {
        http.Dispose();
        signingIn.Dispose();
    }
}

/// <summary>Structural JSON equality (property order ignored), for comparing a replay with the first answer.</summary>
internal static class JsonEquality
{
    public static bool Same(JsonElement? a, JsonElement? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return Same(a.Value, b.Value);
    }

    private static bool Same(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var right = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var other) && Same(p.Value, other));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => Same(pair.First, pair.Second));
            case JsonValueKind.Number:
                return a.GetDecimal() == b.GetDecimal();
            case JsonValueKind.String:
                // Timestamps may be written with different offsets or precision by the first answer and the stored one.
                var (sa, sb) = (a.GetString(), b.GetString());
                return sa == sb || (DateTimeOffset.TryParse(sa, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var da)
                    && DateTimeOffset.TryParse(sb, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var db) && da == db);
            default:
                return true;
        }
    }
}
