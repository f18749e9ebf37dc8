using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests;

/// <summary>
/// Signing in to the API under test: the operator seeded from configuration (<see cref="ApiHostBuilder"/> sets it), or a
/// customer who registers and confirms.
/// </summary>
public static class TestIdentity
{
    public const string OperatorEmail = "operator@tests.local";
    public const string OperatorPassword = "Operator-Passw0rd-for-tests";
    public const string CustomerPassword = "Customer-Passw0rd-1";

    /// <summary>
    /// A client carrying a real bearer token for the seeded operator, minted by the API's own token protector rather
    /// than through /v1/auth/login, so that tests which count audit events do not see a sign-in they did not make
    /// (the sign-in itself is tested with the identity tests). It outlives tests that move the API's clock by months.
    /// </summary>
    public static async Task<HttpClient> CreateOperatorClientAsync<T>(this WebApplicationFactory<T> factory) where T : class
    {
        var client = factory.CreateContractClient();
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<IdentityUser>>();
        var user = await users.FindByEmailAsync(OperatorEmail) ?? throw new InvalidOperationException("The test operator was not seeded.");
        var principal = await signIn.CreateUserPrincipalAsync(user);
        var options = factory.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = (factory.Services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow().AddYears(10) },
            $"{IdentityConstants.BearerScheme}:AccessToken");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerTokenProtector.Protect(ticket));
        return client;
    }

    /// <summary>Registers, confirms through the link in the verification e-mail, signs in.</summary>
    public static async Task<(HttpClient Client, string UserId)> CreateCustomerClientAsync<T>(this WebApplicationFactory<T> factory, string databaseConnectionString, string? email = null)
        where T : class
    {
        email ??= $"customer-{Guid.NewGuid():N}@example.com";
        var client = factory.CreateContractClient();
        var registered = await client.PostAsJsonAsync("/v1/auth/register", new { email, password = CustomerPassword });
        Assert.True(registered.IsSuccessStatusCode, await registered.Content.ReadAsStringAsync());
        var link = await ConfirmationLinkAsync(databaseConnectionString, email);
        var confirmed = await client.GetAsync(new Uri(link).PathAndQuery);
        Assert.True(confirmed.IsSuccessStatusCode, await confirmed.Content.ReadAsStringAsync());
        await SignInAsync(client, email, CustomerPassword);
        var info = await client.GetFromJsonAsync<JsonElement>("/v1/auth/manage/info");
        await using var connection = new NpgsqlConnection(databaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""select "Id" from identity."AspNetUsers" where "Email" = $1""", connection) { Parameters = { new() { Value = email } } };
        return (client, (string)(await command.ExecuteScalarAsync())!);
    }

    public static async Task<string> ConfirmationLinkAsync(string databaseConnectionString, string email)
    {
        await using var connection = new NpgsqlConnection(databaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select model::text from core.emails where template = 'verification' and $1 = any(recipients) order by created_at desc limit 1
            """, connection) { Parameters = { new() { Value = email } } };
        var model = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement;
        return (model.TryGetProperty("confirmationLink", out var link) ? link : model.GetProperty("ConfirmationLink")).GetString()!;
    }

    public static async Task<JsonElement> SignInAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/v1/auth/login", new { email, password });
        Assert.True(response.IsSuccessStatusCode, $"sign-in as {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var tokens = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        return tokens;
    }
}
