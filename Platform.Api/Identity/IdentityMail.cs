using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Platform.Api.Email;
using Platform.Api.Outbox;

namespace Platform.Api.Identity;

/// <summary>
/// The e-mails of signing up and recovering an account. Links are built from the configured public address
/// (<see cref="PlatformIdentityOptions.PublicBaseUrl"/>), never from the request's Host header, which the caller
/// chooses: a forged Host would otherwise mail the victim a link to the attacker's site.
/// </summary>
internal sealed class IdentityMail(UserManager<IdentityUser> users, IEmailOutbox emails, IOptions<PlatformIdentityOptions> options, TimeProvider time)
{
    public const string ConfirmEmailPath = "/v1/auth/confirmEmail";

    public async Task SendConfirmationAsync(IdentityUser user, string email, bool isChange = false, string? deduplicationKey = null)
    {
        var code = isChange ? await users.GenerateChangeEmailTokenAsync(user, email) : await users.GenerateEmailConfirmationTokenAsync(user);
        var query = new Dictionary<string, string?>
        {
            ["userId"] = user.Id,
            ["code"] = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(code)),
        };
        if (isChange) query["changedEmail"] = email;
        var link = QueryHelpers.AddQueryString(options.Value.PublicBaseUrl.TrimEnd('/') + ConfirmEmailPath, query);
        await emails.EnqueueAsync(new EmailMessage(EmailTemplates.Verification, new VerificationEmailModel(DisplayName(user), link), [email],
            DeduplicationKey: deduplicationKey), CancellationToken.None);
    }

    /// <summary>Someone tried to register the owner's address: the owner is told, the caller is not.</summary>
    public Task SendRegistrationAttemptAsync(IdentityUser owner, string? ipAddress) =>
        owner.Email is { } email
            ? emails.EnqueueAsync(new EmailMessage(EmailTemplates.SecurityAlert,
                new SecurityAlertEmailModel(DisplayName(owner), SecurityAlertKinds.RegistrationAttempt, time.GetUtcNow(), ipAddress, null), [email]), CancellationToken.None)
            : Task.CompletedTask;

    public async Task SendPasswordResetCodeAsync(IdentityUser user, string email, string? deduplicationKey = null)
    {
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
        await emails.EnqueueAsync(new EmailMessage(EmailTemplates.PasswordReset, new PasswordResetEmailModel(DisplayName(user), code), [email],
            DeduplicationKey: deduplicationKey), CancellationToken.None);
    }

    internal static string DisplayName(IdentityUser user) => user.UserName is { } name && name.Contains('@') ? name[..name.IndexOf('@')] : user.UserName ?? "customer";
}

/// <summary>
/// "Send me the confirmation again" and "I forgot my password" are answered at once and the same way for any address;
/// whether the address has an account is found out here, later, by the outbox worker. The request itself only writes
/// this job, so its timing tells nothing either. The e-mail carries the job's id as its deduplication key: a job
/// handled twice (a lease that lapsed) mails once.
/// </summary>
internal sealed class DeferredIdentityMail(UserManager<IdentityUser> users, IdentityMail mail, AuthEvents events) : IOutboxHandler
{
    public const string OutboxKind = "identity.mail";
    public const string ResendConfirmation = "resend-confirmation";
    public const string PasswordReset = "password-reset";

    public string Kind => OutboxKind;

    public static JsonElement Payload(string purpose, string email, string? ipAddress) =>
        JsonSerializer.SerializeToElement(new Dictionary<string, string?> { ["purpose"] = purpose, ["email"] = email, ["ip"] = ipAddress });

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var purpose = message.Payload.GetProperty("purpose").GetString();
        var email = message.Payload.GetProperty("email").GetString()!;
        var origin = new Platform.Api.Audit.AuditOrigin(message.Payload.TryGetProperty("ip", out var ip) ? ip.GetString() : null, null);
        var user = await users.FindByEmailAsync(email);
        var confirmed = user is not null && await users.IsEmailConfirmedAsync(user);
        var deduplicationKey = $"{OutboxKind}:{message.SubjectId:N}";
        switch (purpose)
        {
            case ResendConfirmation:
                if (user is not null && !confirmed) await mail.SendConfirmationAsync(user, email, deduplicationKey: deduplicationKey);
                await events.ConfirmationResendRequestedAsync(origin, email, user);
                break;
            case PasswordReset:
                if (user is not null && confirmed) await mail.SendPasswordResetCodeAsync(user, email, deduplicationKey);
                await events.PasswordResetRequestedAsync(origin, email, user);
                break;
        }
        return OutboxResult.Done;
    }
}
