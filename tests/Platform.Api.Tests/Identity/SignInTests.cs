using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Identity;

[Collection(MoneyCollection.Name)]
public sealed class SignInTests(MoneyFixture fixture)
{
    [Fact]
    public async Task Registration_confirmation_login_refresh_and_logout_are_each_audited_with_origin_and_outcome()
    {
        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var (client, userId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        var login = await TestIdentity.SignInAsync(client, email, TestIdentity.CustomerPassword);

        var refreshed = await client.PostAsJsonAsync("/v1/auth/refresh", new { refreshToken = login.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/v1/auth/logout", null)).StatusCode);
        var afterLogout = await client.PostAsJsonAsync("/v1/auth/refresh", new { refreshToken = login.GetProperty("refreshToken").GetString() });

        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        var events = await AuditAsync(userId);
        Assert.Equal(["auth.registered", "auth.email_confirmed", "auth.login", "auth.login", "auth.token_refreshed", "auth.logout", "auth.token_refreshed"],
            events.Select(e => e.Type));
        Assert.All(events.Take(6), e => Assert.Equal("success", e.Outcome));
        Assert.Equal("failure", events[^1].Outcome);
    }

    [Fact]
    public async Task Signing_in_before_confirming_the_email_is_refused()
    {
        var email = $"grace-{Guid.NewGuid():N}@example.com";
        var client = fixture.Api.CreateContractClient();
        (await client.PostAsJsonAsync("/v1/auth/register", new { email, password = TestIdentity.CustomerPassword })).EnsureSuccessStatusCode();

        var response = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = TestIdentity.CustomerPassword });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_email_fails_exactly_like_a_wrong_password_and_both_are_audited()
    {
        var email = $"known-{Guid.NewGuid():N}@example.com";
        var (_, userId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        var client = fixture.Api.CreateContractClient();
        var unknownEmail = $"nobody-{Guid.NewGuid():N}@example.com";

        var wrongPassword = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = "not-the-password-1" });
        var unknown = await client.PostAsJsonAsync("/v1/auth/login", new { email = unknownEmail, password = "not-the-password-1" });

        Assert.Equal(wrongPassword.StatusCode, unknown.StatusCode);
        Assert.Equal(await ProblemWithoutTraceAsync(wrongPassword), await ProblemWithoutTraceAsync(unknown));
        Assert.Contains(await AuditAsync(userId), e => e is { Type: "auth.login", Outcome: "failure" });
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            select count(*) from audit.events where event_type = 'auth.login' and outcome = 'failure' and actor_id = 'unknown' and details->>'email' = $1
            """, connection) { Parameters = { new() { Value = "n***@example.com" } } };
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 1);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_the_lockout_is_audited()
    {
        var email = $"locked-{Guid.NewGuid():N}@example.com";
        var (_, userId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        var client = fixture.Api.CreateContractClient();

        HttpResponseMessage? wrong = null;
        for (var i = 0; i < 5; i++) wrong = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = "wrong-password-12" });
        var rightPasswordNow = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = TestIdentity.CustomerPassword });

        Assert.Equal(HttpStatusCode.Unauthorized, rightPasswordNow.StatusCode);
        // The caller is not told the account is locked (that would confirm the address has one); the owner is, by e-mail.
        Assert.Equal(await ProblemWithoutTraceAsync(wrong!), await ProblemWithoutTraceAsync(rightPasswordNow));
        Assert.Single(await AuditAsync(userId), e => e.Type == "auth.lockout");
        Assert.Contains(await Emails.SecurityAlertKindsAsync(fixture.ApiDatabase, email), kind => kind == "account-locked");
    }

    [Fact]
    public async Task A_new_device_and_a_password_change_each_send_a_security_alert()
    {
        var email = $"alerted-{Guid.NewGuid():N}@example.com";
        var (client, userId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        var phone = fixture.Api.CreateContractClient();
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("PlatformTestPhone/1.0");

        await TestIdentity.SignInAsync(phone, email, TestIdentity.CustomerPassword);
        var changed = await client.PostAsJsonAsync("/v1/auth/manage/info", new { oldPassword = TestIdentity.CustomerPassword, newPassword = "Another-Passw0rd-2" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Contains(await AuditAsync(userId), e => e.Type == "auth.password_changed");
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new NpgsqlCommand("""
            select model->>'kind' from core.emails where template = 'security-alert' and $1 = any(recipients) order by created_at
            """, connection) { Parameters = { new() { Value = email } } };
        var kinds = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) kinds.Add(reader.GetString(0));
        Assert.Equal(["new-device-login", "password-changed"], kinds);
    }

    [Fact]
    public async Task Password_reset_by_emailed_code_lets_the_customer_in_with_the_new_password_only()
    {
        var email = $"forgetful-{Guid.NewGuid():N}@example.com";
        var (_, userId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        var client = fixture.Api.CreateContractClient();

        (await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email })).EnsureSuccessStatusCode();
        // The request only queues the job (it answers alike for every address); the code is mailed a moment later.
        var code = await Poll.UntilAsync(async () =>
        {
            await using var connection = await fixture.OpenApiDatabaseAsync();
            await using var command = new NpgsqlCommand("""
                select model->>'resetCode' from core.emails where template = 'password-reset' and $1 = any(recipients) order by created_at desc limit 1
                """, connection) { Parameters = { new() { Value = email } } };
            return (string?)await command.ExecuteScalarAsync();
        }, c => c is not null);
        var reset = await client.PostAsJsonAsync("/v1/auth/resetPassword", new { email, resetCode = code, newPassword = "Brand-New-Passw0rd" });

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/v1/auth/login", new { email, password = TestIdentity.CustomerPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/auth/login", new { email, password = "Brand-New-Passw0rd" })).StatusCode);
        var events = await AuditAsync(userId);
        Assert.Contains(events, e => e is { Type: "auth.password_reset_requested", Outcome: "success" });
        Assert.Contains(events, e => e is { Type: "auth.password_reset", Outcome: "success" });
    }

    [Fact]
    public async Task A_token_from_one_api_instance_is_accepted_by_another()
    {
        var (client, _) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        await using var otherInstance = await fixture.ApiHost().BuildAsync();
        var other = otherInstance.CreateContractClient();
        other.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;

        var info = await other.GetAsync("/v1/auth/manage/info");

        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task Money_endpoints_refuse_a_caller_without_a_token()
    {
        using var hostile = ContractValidation.AllowInvalidRequests();
        var anonymous = fixture.Api.CreateContractClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/accounts/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/v1/authorizations", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/audit/verify")).StatusCode);
    }

    private static async Task<string> ProblemWithoutTraceAsync(HttpResponseMessage response)
    {
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    private sealed record AuthEvent(string Type, string Outcome, string? OriginIp);

    private async Task<List<AuthEvent>> AuditAsync(string userId)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        var events = await connection.QueryAsync<AuthEvent>("""
            select event_type as type, outcome, origin_ip from audit.events where event_type like 'auth.%' and (actor_id = @userId or resource_id = @userId) order by sequence
            """, new { userId });
        return events.AsList();
    }
}
