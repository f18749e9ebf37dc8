using System.Net;
using Microsoft.AspNetCore.Identity;
using Platform.Api.Email;

namespace Platform.Api.Identity;

/// <summary>Identity's e-mails go through the e-mail outbox like every other e-mail: durable, rendered from templates, sent once.</summary>
internal sealed class IdentityEmailSender(IEmailOutbox outbox) : IEmailSender<IdentityUser>
{
    // Identity hands links over HTML-encoded (for senders that paste them into markup); the templates encode what they
    // render themselves, so the plain link is what goes into the model.
    public Task SendConfirmationLinkAsync(IdentityUser user, string email, string confirmationLink) =>
        outbox.EnqueueAsync(new EmailMessage(EmailTemplates.Verification, new VerificationEmailModel(DisplayName(user), WebUtility.HtmlDecode(confirmationLink)), [email]),
            CancellationToken.None);

    public Task SendPasswordResetLinkAsync(IdentityUser user, string email, string resetLink) =>
        outbox.EnqueueAsync(new EmailMessage(EmailTemplates.PasswordReset, new PasswordResetEmailModel(DisplayName(user), WebUtility.HtmlDecode(resetLink)), [email]),
            CancellationToken.None);

    public Task SendPasswordResetCodeAsync(IdentityUser user, string email, string resetCode) =>
        outbox.EnqueueAsync(new EmailMessage(EmailTemplates.PasswordReset, new PasswordResetEmailModel(DisplayName(user), resetCode), [email]), CancellationToken.None);

    internal static string DisplayName(IdentityUser user) => user.UserName is { } name && name.Contains('@') ? name[..name.IndexOf('@')] : user.UserName ?? "customer";
}
