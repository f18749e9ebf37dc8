using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.Api.Tests.Money;
using Platform.Testing.Contracts;

namespace Platform.Api.Tests.Identity;

/// <summary>Sign-up and sign-in are rate limited per address and per client, answered 429 with Retry-After at once.</summary>
[Collection(MoneyCollection.Name)]
public sealed class AuthRateLimitTests(MoneyFixture fixture)
{
    [Fact]
    public async Task Too_many_attempts_on_one_address_are_answered_429_with_retry_after_before_any_password_check()
    {
        await using var limited = await fixture.ApiHost()
            .With("RateLimits:Auth:PerAddressPerMinute", "3")
            .With("RateLimits:Auth:PerClientPerMinute", "1000")
            .BuildAsync();
        using var client = limited.CreateContractClient();
        var target = $"target-{Guid.NewGuid():N}@example.com";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await client.PostAsJsonAsync("/v1/auth/login", new { email = i % 2 == 0 ? target : target.ToUpperInvariant(), password = "guess-number-" + i })).StatusCode);
        using var limitedAnswer = await client.PostAsJsonAsync("/v1/auth/login", new { EMAIL = target, password = "one-more-guess" });
        using var otherAddress = await client.PostAsJsonAsync("/v1/auth/login", new { email = $"other-{Guid.NewGuid():N}@example.com", password = "whatever-12345" });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limitedAnswer.StatusCode);
        Assert.Equal("application/problem+json", limitedAnswer.Content.Headers.ContentType?.MediaType);
        Assert.True(limitedAnswer.Headers.RetryAfter?.Delta > TimeSpan.Zero, limitedAnswer.Headers.ToString());
        Assert.Equal(429, (await limitedAnswer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
    }

    [Fact]
    public async Task Too_many_attempts_from_one_client_are_answered_429_whatever_the_address()
    {
        await using var limited = await fixture.ApiHost()
            .With("RateLimits:Auth:PerAddressPerMinute", "1000")
            .With("RateLimits:Auth:PerClientPerMinute", "3")
            .BuildAsync();
        using var client = limited.CreateContractClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = $"spray-{i}-{Guid.NewGuid():N}@example.com" })).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
