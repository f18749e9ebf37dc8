using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.WebUtilities;

namespace Platform.Api.Identity;

/// <summary>Resetting a forgotten password with the e-mailed code, and a signed-in customer's own address and password.</summary>
internal sealed class AccountManagement(UserManager<IdentityUser> users, IdentityMail mail, AuthEvents events)
{
    private static readonly EmailAddressAttribute EmailAddress = new();

    /// <summary>An unknown or unconfirmed address is answered like a wrong code, so this does not reveal accounts either.</summary>
    public async Task<Results<Ok, ValidationProblem>> ResetPasswordAsync(HttpContext http, ResetPasswordRequest request)
    {
        var user = await users.FindByEmailAsync(request.Email);
        IdentityResult result;
        if (user is null || !await users.IsEmailConfirmedAsync(user))
        {
            result = IdentityResult.Failed(users.ErrorDescriber.InvalidToken());
        }
        else
        {
            try
            {
                result = await users.ResetPasswordAsync(user, Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(request.ResetCode)), request.NewPassword);
            }
            catch (FormatException)
            {
                result = IdentityResult.Failed(users.ErrorDescriber.InvalidToken());
            }
        }
        await events.PasswordResetAsync(AuthEvents.Origin(http), request.Email, user, result.Succeeded);
        return result.Succeeded ? TypedResults.Ok() : Invalid(result.Errors);
    }

    public async Task<Results<Ok<InfoResponse>, NotFound>> GetInfoAsync(ClaimsPrincipal principal) =>
        await users.GetUserAsync(principal) is { } user ? TypedResults.Ok(await InfoAsync(user)) : TypedResults.NotFound();

    /// <summary>A new password (the old one required) and/or a new address (confirmed by a link sent to it).</summary>
    public async Task<Results<Ok<InfoResponse>, ValidationProblem, NotFound>> UpdateInfoAsync(HttpContext http, InfoRequest request)
    {
        if (await users.GetUserAsync(http.User) is not { } user) return TypedResults.NotFound();
        if (!string.IsNullOrEmpty(request.NewEmail) && !EmailAddress.IsValid(request.NewEmail))
            return Invalid([users.ErrorDescriber.InvalidEmail(request.NewEmail)]);
        if (!string.IsNullOrEmpty(request.NewPassword))
        {
            if (string.IsNullOrEmpty(request.OldPassword))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["OldPasswordRequired"] = ["The old password is required to set a new password."] });
            var changed = await users.ChangePasswordAsync(user, request.OldPassword, request.NewPassword);
            await events.PasswordChangedAsync(AuthEvents.Origin(http), user, changed.Succeeded);
            if (!changed.Succeeded) return Invalid(changed.Errors);
        }
        if (!string.IsNullOrEmpty(request.NewEmail) && request.NewEmail != await users.GetEmailAsync(user))
            await mail.SendConfirmationAsync(user, request.NewEmail, isChange: true);
        return TypedResults.Ok(await InfoAsync(user));
    }

    private async Task<InfoResponse> InfoAsync(IdentityUser user) => new()
    {
        Email = await users.GetEmailAsync(user) ?? throw new NotSupportedException("Users must have an e-mail address."),
        IsEmailConfirmed = await users.IsEmailConfirmedAsync(user),
    };

    private static ValidationProblem Invalid(IEnumerable<IdentityError> errors) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
}
