using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Identity;

/// <summary>
/// No auth endpoint tells a caller whether an address has an account: register, sign-in, resend and forgot-password
/// answer alike for a new, an existing, an unconfirmed and a locked address, and the owner hears by e-mail instead.
/// (That they take the same time is measured, not asserted: timing tests flake on shared machines.)
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed class AccountEnumerationTests(MoneyFixture fixture)
{
    [Fact]
    public async Task Registering_a_taken_address_answers_like_a_new_one_and_mails_the_owner_instead()
    {
        var (_, ownerId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var ownerEmail = await EmailOfAsync(ownerId);
        using var client = fixture.Api.CreateContractClient();

        using var fresh = await client.PostAsJsonAsync("/v1/auth/register", new { email = $"new-{Guid.NewGuid():N}@example.com", password = TestIdentity.CustomerPassword });
        using var taken = await client.PostAsJsonAsync("/v1/auth/register", new { email = ownerEmail, password = "Some-Other-Passw0rd" });

        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await taken.Content.ReadAsStringAsync());
        Assert.Contains("registration-attempt", await Emails.SecurityAlertKindsAsync(fixture.ApiDatabase, ownerEmail));
        Assert.Equal(1L, await ScalarAsync("""select count(*) from identity."AspNetUsers" where "NormalizedEmail" = upper($1)""", ownerEmail));
    }

    [Fact]
    public async Task A_weak_password_is_refused_alike_for_a_taken_and_a_new_address()
    {
        var (_, ownerId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        using var client = fixture.Api.CreateContractClient();

        using var fresh = await client.PostAsJsonAsync("/v1/auth/register", new { email = $"new-{Guid.NewGuid():N}@example.com", password = "short" });
        using var taken = await client.PostAsJsonAsync("/v1/auth/register", new { email = await EmailOfAsync(ownerId), password = "short" });

        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Equal(await WithoutTraceAsync(fresh), await WithoutTraceAsync(taken));
    }

    [Fact]
    public async Task Unknown_unconfirmed_wrong_and_locked_sign_ins_all_get_the_same_answer()
    {
        using var client = fixture.Api.CreateContractClient();
        var unconfirmed = $"unconfirmed-{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/v1/auth/register", new { email = unconfirmed, password = TestIdentity.CustomerPassword })).EnsureSuccessStatusCode();
        var (_, lockedId) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        var locked = await EmailOfAsync(lockedId);
        for (var i = 0; i < 5; i++) await client.PostAsJsonAsync("/v1/auth/login", new { email = locked, password = "wrong-password-12" });

        var answers = new List<(HttpStatusCode Status, string Body)>();
        foreach (var (email, password) in new[]
                 {
                     ($"nobody-{Guid.NewGuid():N}@example.com", TestIdentity.CustomerPassword),
                     (unconfirmed, TestIdentity.CustomerPassword),
                     (locked, TestIdentity.CustomerPassword),
                     (locked, "wrong-password-12"),
                 })
        {
            using var response = await client.PostAsJsonAsync("/v1/auth/login", new { email, password });
            answers.Add((response.StatusCode, await WithoutTraceAsync(response)));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.Single(answers.Select(a => a.Body).Distinct());
    }

    [Fact]
    public async Task Resend_and_forgot_password_answer_alike_and_mail_only_a_real_account()
    {
        using var client = fixture.Api.CreateContractClient();
        var unconfirmed = $"resend-{Guid.NewGuid():N}@example.com";
        (await client.PostAsJsonAsync("/v1/auth/register", new { email = unconfirmed, password = TestIdentity.CustomerPassword })).EnsureSuccessStatusCode();
        var unknown = $"ghost-{Guid.NewGuid():N}@example.com";

        using var resendKnown = await client.PostAsJsonAsync("/v1/auth/resendConfirmationEmail", new { email = unconfirmed });
        using var resendUnknown = await client.PostAsJsonAsync("/v1/auth/resendConfirmationEmail", new { email = unknown });
        using var forgotUnknown = await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = unknown });

        Assert.Equal(HttpStatusCode.OK, resendKnown.StatusCode);
        Assert.Equal(resendKnown.StatusCode, resendUnknown.StatusCode);
        Assert.Equal(await resendKnown.Content.ReadAsStringAsync(), await resendUnknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, forgotUnknown.StatusCode);
        // The deferred jobs ran: the unconfirmed customer has a second verification e-mail, the unknown address nothing.
        await Poll.UntilAsync(() => Emails.TemplatesAsync(fixture.ApiDatabase, unconfirmed), t => t.Count(x => x == "verification") == 2);
        await Poll.UntilAsync(() => ScalarAsync("select count(*) from core.outbox where kind = 'identity.mail' and status = 'pending' and payload->>'email' = $1", unknown), n => n == 0);
        Assert.Empty(await Emails.TemplatesAsync(fixture.ApiDatabase, unknown));
    }

    [Fact]
    public async Task A_forged_host_header_is_refused_and_links_use_the_configured_public_address()
    {
        using var client = fixture.Api.CreateContractClient();
        var email = $"host-{Guid.NewGuid():N}@example.com";
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/register") { Content = JsonContent.Create(new { email, password = TestIdentity.CustomerPassword }) };
        forged.Headers.Host = "evil.example";
        using var refused = await client.SendAsync(forged);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await Emails.TemplatesAsync(fixture.ApiDatabase, email));

        using var alias = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/register") { Content = JsonContent.Create(new { email, password = TestIdentity.CustomerPassword }) };
        alias.Headers.Host = "127.0.0.1";
        (await client.SendAsync(alias)).EnsureSuccessStatusCode();
        var link = await TestIdentity.ConfirmationLinkAsync(fixture.ApiDatabase, email);
        Assert.StartsWith("http://localhost/v1/auth/confirmEmail?", link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_are_answered_no_store_with_the_security_headers()
    {
        var email = $"headers-{Guid.NewGuid():N}@example.com";
        var (client, _) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);

        using var login = await client.PostAsJsonAsync("/v1/auth/login", new { email, password = TestIdentity.CustomerPassword });
        using var me = await client.GetAsync("/v1/me");

        foreach (var response in new[] { login, me })
        {
            Assert.True(response.IsSuccessStatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.ToString());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
    }

    private async Task<string> EmailOfAsync(string userId)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new NpgsqlCommand("""select "Email" from identity."AspNetUsers" where "Id" = $1""", connection) { Parameters = { new() { Value = userId } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> ScalarAsync(string sql, string? parameter)
    {
        await using var connection = await fixture.OpenApiDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null) command.Parameters.Add(new() { Value = parameter });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> WithoutTraceAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0) return "";
        var node = JsonNode.Parse(text)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }
}
