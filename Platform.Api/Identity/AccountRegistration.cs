using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;
using Platform.Api.Outbox;

namespace Platform.Api.Identity;

/// <summary>
/// Signing up and confirming the address. Registering an address that already has an account answers exactly like a
/// new registration (same status, same body, a password hashed either way) and tells the owner by e-mail instead, so
/// the endpoint cannot be used to learn who banks with us.
/// </summary>
internal sealed class AccountRegistration(
    UserManager<IdentityUser> users, IdentityMail mail, AuthEvents events, NpgsqlDataSource dataSource, OutboxStore outbox)
{
    private static readonly EmailAddressAttribute EmailAddress = new();

    public async Task<Results<Ok, ValidationProblem>> RegisterAsync(HttpContext http, RegisterRequest registration)
    {
        var origin = AuthEvents.Origin(http);
        var email = registration.Email;
        if (string.IsNullOrEmpty(email) || !EmailAddress.IsValid(email))
            return await RefusedAsync(http, email, [users.ErrorDescriber.InvalidEmail(email)]);
        // The password rules are checked before the address is looked at, so a weak password is refused alike for
        // every address.
        var candidate = new IdentityUser(email) { Email = email };
        var weak = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
            if (await validator.ValidateAsync(users, candidate, registration.Password) is { Succeeded: false } result) weak.AddRange(result.Errors);
        if (weak.Count > 0) return await RefusedAsync(http, email, weak);

        if (await users.FindByEmailAsync(email) is { } owner) return await AlreadyRegisteredAsync(http, email, candidate, registration.Password, owner);

        var user = new IdentityUser();
        await users.SetUserNameAsync(user, email);
        await users.SetEmailAsync(user, email);
        var created = await users.CreateAsync(user, registration.Password);
        if (!created.Succeeded)
        {
            // Another request registered the address a moment ago: the same answer as any taken address.
            if (created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail))
                && await users.FindByEmailAsync(email) is { } winner)
                return await AlreadyRegisteredAsync(http, email, null, null, winner);
            return await RefusedAsync(http, email, created.Errors);
        }
        await users.AddToRoleAsync(user, PlatformRoles.Customer);
        await mail.SendConfirmationAsync(user, email);
        await events.RegisteredAsync(origin, email, user, addressWasTaken: false);
        return TypedResults.Ok();
    }

    private async Task<Results<Ok, ValidationProblem>> AlreadyRegisteredAsync(HttpContext http, string email, IdentityUser? candidate, string? password, IdentityUser owner)
    {
        // The work a new account costs, so the answer takes as long.
        if (candidate is not null) users.PasswordHasher.HashPassword(candidate, password!);
        await mail.SendRegistrationAttemptAsync(owner, http.Connection.RemoteIpAddress?.ToString());
        await events.RegisteredAsync(AuthEvents.Origin(http), email, null, addressWasTaken: true);
        return TypedResults.Ok();
    }

    private async Task<Results<Ok, ValidationProblem>> RefusedAsync(HttpContext http, string? email, IEnumerable<IdentityError> errors)
    {
        await events.RegisteredAsync(AuthEvents.Origin(http), email ?? "", null, addressWasTaken: false);
        return TypedResults.ValidationProblem(errors.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
    }

    /// <summary>The link from the verification e-mail (also the one sent when a signed-in customer changes address).</summary>
    public async Task<Results<ContentHttpResult, ProblemHttpResult>> ConfirmAsync(HttpContext http, string userId, string code, string? changedEmail)
    {
        var user = await users.FindByIdAsync(userId);
        IdentityResult result;
        try
        {
            var token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
            result = user is null ? IdentityResult.Failed()
                : string.IsNullOrEmpty(changedEmail) ? await users.ConfirmEmailAsync(user, token)
                : await ChangeEmailAsync(user, changedEmail, token);
        }
        catch (FormatException)
        {
            result = IdentityResult.Failed();
        }
        await events.EmailConfirmedAsync(AuthEvents.Origin(http), user?.Id, result.Succeeded);
        return result.Succeeded
            ? TypedResults.Text("Thank you for confirming your email.")
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Confirmation failed", detail: "The link is invalid or has expired.");
    }

    private async Task<IdentityResult> ChangeEmailAsync(IdentityUser user, string newEmail, string token)
    {
        var changed = await users.ChangeEmailAsync(user, newEmail, token);
        return changed.Succeeded ? await users.SetUserNameAsync(user, newEmail) : changed;
    }

    /// <summary>Always "sent": the job decides later whether there is anything to send (see <see cref="DeferredIdentityMail"/>).</summary>
    public Task<Ok> ResendConfirmationAsync(HttpContext http, ResendConfirmationEmailRequest request) =>
        DeferAsync(http, DeferredIdentityMail.ResendConfirmation, request.Email);

    public Task<Ok> ForgotPasswordAsync(HttpContext http, ForgotPasswordRequest request) =>
        DeferAsync(http, DeferredIdentityMail.PasswordReset, request.Email);

    private async Task<Ok> DeferAsync(HttpContext http, string purpose, string email)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(http.RequestAborted))
        await using (var tx = await connection.BeginTransactionAsync(http.RequestAborted))
        {
            await outbox.EnqueueAsync(tx, DeferredIdentityMail.OutboxKind, Guid.CreateVersion7(),
                DeferredIdentityMail.Payload(purpose, email, http.Connection.RemoteIpAddress?.ToString()), http.RequestAborted);
            await tx.CommitAsync(http.RequestAborted);
        }
        outbox.Wake();
        return TypedResults.Ok();
    }
}
