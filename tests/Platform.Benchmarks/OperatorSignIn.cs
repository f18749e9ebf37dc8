using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Benchmarks;

/// <summary>
/// The API's money and underwriting endpoints need a signed-in caller; the benchmarks sign in as the operator the
/// API seeds in Development. The password comes from <c>--operator-password</c>, else <c>PLATFORM_OPERATOR_PASSWORD</c>,
/// else the environment of a running Platform.Api process (the AppHost hands it over as Identity__Operator__Password).
/// </summary>
internal static class OperatorSignIn
{
    public static async Task SignInAsync(HttpClient api, string[] args)
    {
        var (email, password) = Credentials(args);
        using var response = await api.PostAsJsonAsync("/v1/auth/login", new { email, password });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Signing in as {email} failed ({(int)response.StatusCode}); pass --operator-password.");
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
    }

    private static (string Email, string Password) Credentials(string[] args)
    {
        var index = Array.IndexOf(args, "--operator-password");
        var password = index >= 0 && index + 1 < args.Length ? args[index + 1] : Environment.GetEnvironmentVariable("PLATFORM_OPERATOR_PASSWORD");
        var fromProcess = FromApiProcess();
        return (fromProcess?.Email ?? "operator@card-platform.local",
            password ?? fromProcess?.Password ?? throw new InvalidOperationException("No operator password: pass --operator-password or set PLATFORM_OPERATOR_PASSWORD."));
    }

    private static (string? Email, string? Password)? FromApiProcess() =>
        ApiProcesses.Running()
            .Where(p => p.Environment.ContainsKey("Identity__Operator__Password"))
            .Select(p => ((string? Email, string? Password)?)(p.Environment.GetValueOrDefault("Identity__Operator__Email"), p.Environment["Identity__Operator__Password"]))
            .FirstOrDefault();
}
