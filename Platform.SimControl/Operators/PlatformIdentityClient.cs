using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.SimControl.Operators;

/// <summary>Who a platform identity is, as the API says.</summary>
public sealed record PlatformUser(string UserId, string? Email, IReadOnlyList<string> Roles)
{
    public bool IsOperator => Roles.Contains("operator");
}

/// <summary>The platform API's sign-in, used to let operators into the control API and the panel.</summary>
internal sealed class PlatformIdentityClient(HttpClient http)
{
    /// <summary>An access token for the address and password, or null when the API refuses them.</summary>
    public async Task<string?> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/v1/auth/login", new { email, password }, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.TooManyRequests) return null;
        response.EnsureSuccessStatusCode();
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return tokens.TryGetProperty("accessToken", out var token) ? token.GetString() : null;
    }

    /// <summary>Whom the token belongs to, or null when the API does not accept it.</summary>
    public async Task<PlatformUser?> WhoIsAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return null;
        response.EnsureSuccessStatusCode();
        var me = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return new PlatformUser(me.GetProperty("userId").GetString()!, me.TryGetProperty("email", out var email) ? email.GetString() : null,
            [.. me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)]);
    }
}
