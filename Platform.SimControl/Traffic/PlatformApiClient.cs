using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.SimControl.Traffic;

/// <summary>An answer from the platform API: its status and, when it was JSON, the body.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, JsonElement? Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public string? Text(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The sign-in was refused or the API could not be reached.</summary>
internal sealed class PlatformSignInException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The generator's client of the platform API (typed, found by service discovery), signed in as the configured
/// operator. The bearer token is shared by every request of a run; when it expires (401) the client signs in again
/// once, whoever notices first, and repeats the request.
/// </summary>
internal sealed class PlatformApiClient(HttpClient http, IOptions<TrafficOptions> options)
{
    private readonly SemaphoreSlim signingIn = new(1, 1);
    private volatile string? token;

    public async Task SignInAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.HasCredentials) throw new PlatformSignInException("No operator identity is configured (Traffic:OperatorEmail, Traffic:OperatorPassword).");
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("/v1/auth/login", new SignIn(o.OperatorEmail!, o.OperatorPassword!), TrafficApiJsonContext.Default.SignIn, cancellationToken);
        }
        // A cancellation the caller asked for stays a cancellation; a timeout or an unreachable API is a failed sign-in.
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PlatformSignInException($"The platform API at {http.BaseAddress} could not be reached: {ex.Message}", ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new PlatformSignInException($"The platform API refused the operator's sign-in ({(int)response.StatusCode}).");
            var tokens = await response.Content.ReadFromJsonAsync(TrafficApiJsonContext.Default.SignedIn, cancellationToken);
            token = tokens?.AccessToken ?? throw new PlatformSignInException("The sign-in answer had no access token.");
        }
    }

    public Task<ApiAnswer> PostAsync(string path, object? body, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: TrafficApiJsonContext.Default.Options),
            };
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            return request;
        }, cancellationToken);

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    private async Task<ApiAnswer> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var used = token;
            using var request = create();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", used);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                await RenewAsync(used, cancellationToken);
                continue;
            }
            JsonElement? body = null;
            if (response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
            {
                using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
                body = document.RootElement.Clone();
            }
            return new ApiAnswer(response.StatusCode, body);
        }
    }

    private async Task RenewAsync(string? expired, CancellationToken cancellationToken)
    {
        await signingIn.WaitAsync(cancellationToken);
        try
        {
            // Another request may have signed in again already.
            if (token == expired) await SignInAsync(cancellationToken);
        }
        finally
        {
            signingIn.Release();
        }
    }

    internal sealed record SignIn(string Email, string Password);

    internal sealed record SignedIn(string? AccessToken);
}

internal sealed record OpenAccount(string Currency, long CreditLimit, string OwnerReference);

internal sealed record IssueCard(string Type, string CardholderName);

internal sealed record Merchant(string Id, string Name, string Mcc, string Country);

internal sealed record Authorize(Guid CardId, long Amount, string Currency, Merchant Merchant, string Channel);

internal sealed record WholeAmount;

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(PlatformApiClient.SignIn))]
[System.Text.Json.Serialization.JsonSerializable(typeof(PlatformApiClient.SignedIn))]
[System.Text.Json.Serialization.JsonSerializable(typeof(OpenAccount))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IssueCard))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Authorize))]
[System.Text.Json.Serialization.JsonSerializable(typeof(WholeAmount))]
internal sealed partial class TrafficApiJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
