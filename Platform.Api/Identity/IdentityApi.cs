using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Platform.Api.Identity;

internal static class IdentityApi
{
    /// <summary>
    /// ASP.NET Core Identity's own endpoints under <c>/v1/auth</c> (register, confirmEmail, login, refresh,
    /// forgotPassword, resetPassword, manage/info …) with every outcome audited, plus logout.
    /// </summary>
    public static RouteGroupBuilder MapPlatformIdentityApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/auth").WithTags("Auth");
        group.MapIdentityApi<IdentityUser>();
        group.AddEndpointFilter(async (context, next) =>
        {
            var events = context.HttpContext.RequestServices.GetRequiredService<AuthEvents>();
            var wasLockedOut = await events.WasLockedOutAsync(context);
            var result = await next(context);
            await events.AfterAsync(context, result, wasLockedOut);
            return result;
        });
        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        app.MapGet("/v1/me", Me).WithTags("Auth").RequireAuthorization();
        return group;
    }

    /// <summary>Who the token belongs to: the id that accounts and applications are owned by, and the roles.</summary>
    public static Ok<CurrentUserResponse> Me(System.Security.Claims.ClaimsPrincipal user) =>
        TypedResults.Ok(new CurrentUserResponse(user.UserId()!, user.FindFirst(System.Security.Claims.ClaimTypes.Email)?.Value ?? user.Identity?.Name,
            [.. user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value)]));

    /// <summary>
    /// Ends every session of the user: a new security stamp makes all their refresh tokens worthless. Access tokens
    /// already handed out stay valid until they expire (<see cref="PlatformIdentityOptions.AccessTokenMinutes"/>).
    /// </summary>
    public static async Task<Results<NoContent, UnauthorizedHttpResult>> LogoutAsync(HttpContext http, UserManager<IdentityUser> users, AuthEvents events)
    {
        if (await users.GetUserAsync(http.User) is not { } user) return TypedResults.Unauthorized();
        await users.UpdateSecurityStampAsync(user);
        await events.LogoutAsync(user, http);
        return TypedResults.NoContent();
    }
}

public sealed record CurrentUserResponse(string UserId, string? Email, IReadOnlyList<string> Roles);
