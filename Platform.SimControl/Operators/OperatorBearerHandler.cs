using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Platform.SimControl.Operators;

/// <summary>
/// A platform bearer token on a control-API call (QA scripts sign in to the API and present its token here), checked
/// by asking the API whom it belongs to. Answers are kept for a few seconds, keyed by a digest of the token, so a
/// script's burst of calls costs one check.
/// </summary>
internal sealed class OperatorBearerHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    PlatformIdentityClient identity, IMemoryCache cache, IOptions<OperatorAccessOptions> access)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        var key = "operator-token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (!cache.TryGetValue(key, out PlatformUser? user))
        {
            user = await identity.WhoIsAsync(token, Context.RequestAborted);
            cache.Set(key, user, TimeSpan.FromSeconds(access.Value.TokenCacheSeconds));
        }
        return user is null ? AuthenticateResult.Fail("The platform does not accept this token.")
            : AuthenticateResult.Success(new AuthenticationTicket(OperatorAccess.Principal(user, Scheme.Name), Scheme.Name));
    }
}
