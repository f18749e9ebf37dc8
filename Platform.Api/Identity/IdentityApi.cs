using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;

namespace Platform.Api.Identity;

internal static class IdentityApi
{
    /// <summary>
    /// Signing up and in under <c>/v1/auth</c>, with the request and answer shapes of ASP.NET Core Identity's own
    /// endpoints (register, confirmEmail, login, refresh, resendConfirmationEmail, forgotPassword, resetPassword,
    /// manage/info) plus logout, but answering the same way whether or not an address has an account, and rate limited
    /// per address and per client address.
    /// </summary>
    public static RouteGroupBuilder MapPlatformIdentityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/auth").WithTags("Auth").RequireRateLimiting(AuthRateLimits.Policy);
        group.MapPost("/register", (HttpContext http, RegisterRequest registration, AccountRegistration accounts) => accounts.RegisterAsync(http, registration));
        group.MapGet("/confirmEmail", (HttpContext http, string userId, string code, string? changedEmail, AccountRegistration accounts) =>
            accounts.ConfirmAsync(http, userId, code, changedEmail));
        group.MapPost("/resendConfirmationEmail", (HttpContext http, ResendConfirmationEmailRequest request, AccountRegistration accounts) =>
            accounts.ResendConfirmationAsync(http, request));
        group.MapPost("/login", (HttpContext http, LoginRequest login, PasswordSignIn signIn) => signIn.SignInAsync(http, login));
        group.MapPost("/refresh", (HttpContext http, RefreshRequest request, PasswordSignIn signIn) => signIn.RefreshAsync(http, request));
        group.MapPost("/forgotPassword", (HttpContext http, ForgotPasswordRequest request, AccountRegistration accounts) => accounts.ForgotPasswordAsync(http, request));
        group.MapPost("/resetPassword", (HttpContext http, ResetPasswordRequest request, AccountManagement accounts) => accounts.ResetPasswordAsync(http, request));
        var manage = group.MapGroup("/manage").RequireAuthorization();
        manage.MapGet("/info", (ClaimsPrincipal user, AccountManagement accounts) => accounts.GetInfoAsync(user));
        manage.MapPost("/info", (HttpContext http, InfoRequest request, AccountManagement accounts) => accounts.UpdateInfoAsync(http, request));
        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        group.DescribeIdentityEndpoints("/v1/auth");
        app.MapGet("/v1/me", Me).WithTags("Auth").RequireAuthorization();
        return group;
    }

    /// <summary>Who the token belongs to: the id that accounts and applications are owned by, and the roles.</summary>
    public static Ok<CurrentUserResponse> Me(ClaimsPrincipal user) =>
        TypedResults.Ok(new CurrentUserResponse(user.UserId()!, user.FindFirst(ClaimTypes.Email)?.Value ?? user.Identity?.Name,
            [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value)]));

    /// <summary>
    /// Ends every session of the user: a new security stamp makes all their refresh tokens worthless. Access tokens
    /// already handed out stay valid until they expire (<see cref="PlatformIdentityOptions.AccessTokenMinutes"/>).
    /// </summary>
    public static async Task<Results<NoContent, UnauthorizedHttpResult>> LogoutAsync(HttpContext http, UserManager<IdentityUser> users, AuthEvents events)
    {
        if (await users.GetUserAsync(http.User) is not { } user) return TypedResults.Unauthorized();
        await users.UpdateSecurityStampAsync(user);
        await events.LogoutAsync(AuthEvents.Origin(http), user);
        return TypedResults.NoContent();
    }
}

public sealed record CurrentUserResponse(string UserId, string? Email, IReadOnlyList<string> Roles);
