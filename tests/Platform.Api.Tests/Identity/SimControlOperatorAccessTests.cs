extern alias simcontrol;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Identity;

/// <summary>
/// Outside Development the control API and the panel ask for a platform operator: a script presents the API's bearer
/// token, a person signs in on the panel's form; customers and anonymous callers are refused.
/// </summary>
[Collection(MoneyCollection.Name)]
public sealed partial class SimControlOperatorAccessTests(MoneyFixture fixture)
{
    private WebApplicationFactory<simcontrol::Program> SignInRequired() =>
        fixture.Processor.WithWebHostBuilder(b => b
            .UseSetting("OperatorAccess:Required", "true")
            .UseSetting("OperatorAccess:ApiBaseAddress", "http://api.test")
            .ConfigureTestServices(services => services.AddHttpClient("PlatformIdentityClient")
                .ConfigurePrimaryHttpMessageHandler(() => fixture.Api.Server.CreateHandler())));

    [Fact]
    public async Task The_control_api_answers_an_operator_token_and_refuses_customers_and_anonymous_callers()
    {
        await using var sim = SignInRequired();
        using var anonymous = sim.CreateContractClient();
        anonymous.DefaultRequestHeaders.Remove("X-Api-Key");
        var (customer, _) = await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase);
        using var asCustomer = sim.CreateContractClient();
        asCustomer.DefaultRequestHeaders.Authorization = customer.DefaultRequestHeaders.Authorization;
        using var asOperator = sim.CreateContractClient();
        asOperator.DefaultRequestHeaders.Authorization = await OperatorTokenAsync();

        using var refused = await anonymous.GetAsync("/sim/v1/processor/settings");
        using var forbidden = await asCustomer.GetAsync("/sim/v1/processor/settings");
        using var allowed = await asOperator.GetAsync("/sim/v1/processor/settings");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task The_panel_sends_a_stranger_to_the_sign_in_form_and_lets_an_operator_in()
    {
        await using var sim = SignInRequired();
        using var browser = sim.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

        using var home = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("/login", home.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        var form = await browser.GetStringAsync("/login?returnUrl=%2F");
        var antiforgery = AntiforgeryField().Match(form).Groups[1].Value;
        using var wrong = await browser.PostAsync("/auth/login", Form(antiforgery, TestIdentity.OperatorEmail, "not-the-password-1"));
        using var signedIn = await browser.PostAsync("/auth/login", Form(antiforgery, TestIdentity.OperatorEmail, TestIdentity.OperatorPassword));
        using var panel = await browser.GetAsync("/");

        Assert.Contains("failed=1", wrong.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, panel.StatusCode);
    }

    [Fact]
    public async Task A_customer_cannot_sign_in_to_the_panel()
    {
        await using var sim = SignInRequired();
        var email = $"panel-{Guid.NewGuid():N}@example.com";
        await fixture.Api.CreateCustomerClientAsync(fixture.ApiDatabase, email);
        using var browser = sim.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var antiforgery = AntiforgeryField().Match(await browser.GetStringAsync("/login")).Groups[1].Value;

        using var refused = await browser.PostAsync("/auth/login", Form(antiforgery, email, TestIdentity.CustomerPassword));
        using var panel = await browser.GetAsync("/");

        Assert.Contains("failed=1", refused.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, panel.StatusCode);
    }

    private async Task<AuthenticationHeaderValue> OperatorTokenAsync()
    {
        using var client = fixture.Api.CreateContractClient();
        var tokens = await TestIdentity.SignInAsync(client, TestIdentity.OperatorEmail, TestIdentity.OperatorPassword);
        return new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
    }

    private static FormUrlEncodedContent Form(string antiforgery, string email, string password) => new(new Dictionary<string, string>
    {
        ["__RequestVerificationToken"] = antiforgery, ["email"] = email, ["password"] = password, ["returnUrl"] = "/",
    });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
