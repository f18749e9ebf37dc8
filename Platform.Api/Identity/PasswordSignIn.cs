using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.Extensions.Options;

namespace Platform.Api.Identity;

/// <summary>
/// Signing in with an address and a password, and renewing the tokens. Every refusal looks the same to the caller and
/// costs the same: the password is checked (or a dummy hash verified) before anything else is looked at, so an
/// unknown address, a wrong password, an unconfirmed address and a locked account cannot be told apart by the answer
/// or by its timing. Identity's own sign-in answers a locked or unconfirmed account before hashing, with a word that
/// says which.
/// </summary>
internal sealed class PasswordSignIn(
    UserManager<IdentityUser> users, SignInManager<IdentityUser> signIn, IOptionsMonitor<BearerTokenOptions> bearerOptions,
    AuthEvents events, TimeProvider time)
{
    private static readonly IdentityUser TimingDummy = new("timing-dummy");
    private static readonly Lazy<string> TimingDummyHash = new(() => new PasswordHasher<IdentityUser>().HashPassword(TimingDummy, Guid.NewGuid().ToString()));

    public async Task<Results<SignInHttpResult, ProblemHttpResult>> SignInAsync(HttpContext http, LoginRequest login)
    {
        var origin = AuthEvents.Origin(http);
        var user = await users.FindByEmailAsync(login.Email);
        SignInFailure? failure;
        if (user is null)
        {
            users.PasswordHasher.VerifyHashedPassword(TimingDummy, TimingDummyHash.Value, login.Password);
            failure = SignInFailure.UnknownAddress;
        }
        else
        {
            var passwordMatches = await users.CheckPasswordAsync(user, login.Password);
            failure = await users.IsLockedOutAsync(user) ? SignInFailure.LockedOut
                : !passwordMatches ? SignInFailure.WrongPassword
                : !await users.IsEmailConfirmedAsync(user) ? SignInFailure.EmailNotConfirmed
                : null;
            if (failure == SignInFailure.WrongPassword)
            {
                await users.AccessFailedAsync(user);
                if (await users.IsLockedOutAsync(user)) await events.LockedOutAsync(origin, user, await users.GetLockoutEndDateAsync(user));
            }
        }
        if (failure is not null)
        {
            await events.LoginAsync(origin, login.Email, user, failure, newDevice: false);
            return Refused();
        }

        await users.ResetAccessFailedCountAsync(user!);
        var newDevice = await events.RecordDeviceAsync(user!, origin, http.Request.Headers.UserAgent.ToString());
        await events.LoginAsync(origin, login.Email, user, null, newDevice);
        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user!), authenticationScheme: IdentityConstants.BearerScheme);
    }

    /// <summary>New tokens for a refresh token that is unexpired and whose user has not signed out everywhere since.</summary>
    public async Task<Results<SignInHttpResult, ProblemHttpResult>> RefreshAsync(HttpContext http, RefreshRequest request)
    {
        var ticket = bearerOptions.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        var user = ticket?.Properties.ExpiresUtc is { } expires && time.GetUtcNow() < expires
            ? await signIn.ValidateSecurityStampAsync(ticket.Principal)
            : null;
        await events.TokenRefreshedAsync(AuthEvents.Origin(http), user?.Id ?? ticket?.Principal.UserId(), user is not null);
        if (user is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Refresh refused",
                detail: "The refresh token is invalid, expired or was revoked by signing out; sign in again.");
        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }

    private static ProblemHttpResult Refused() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "Failed");
}
