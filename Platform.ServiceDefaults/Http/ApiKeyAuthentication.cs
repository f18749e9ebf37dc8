using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>The header a calling service presents and the key it must hold.</summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public const string DefaultHeader = "X-Api-Key";

    public string HeaderName { get; set; } = DefaultHeader;

    /// <summary>The expected key, from configuration (the AppHost generates it). Empty refuses every caller.</summary>
    public string Key { get; set; } = "";

    /// <summary>Who a caller with the key is, for audit and logs.</summary>
    public string ClientName { get; set; } = "platform";
}

/// <summary>
/// A service-to-service credential, the way a processor, a bureau or an internal service demands one: a shared key
/// in a header, compared in constant time. As an authentication scheme it is checked by the authorization middleware
/// before the endpoint runs, so a caller without the key learns nothing, not even whether its body would have bound.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[Options.HeaderName].ToString();
        if (presented.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        if (Options.Key.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Options.Key)))
            return Task.FromResult(AuthenticateResult.Fail("The key is not valid."));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, Options.ClientName)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{Options.HeaderName}\"";
        return Task.CompletedTask;
    }
}

public static class ApiKeyAuthenticationExtensions
{
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, string scheme, Action<ApiKeyAuthenticationOptions>? configure = null) =>
        builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(scheme, configure);

    /// <summary>Only callers holding the scheme's key reach these endpoints; others get a 401 problem before any binding.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder endpoints, string scheme) where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build());
}
