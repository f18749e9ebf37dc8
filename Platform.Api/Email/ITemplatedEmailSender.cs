using System.Text.Json;

namespace Platform.Api.Email;

/// <summary>
/// One templated send, shaped like SES v2 <c>SendEmail</c> with <c>Content.Template</c>: template name and data,
/// destination, attachments, configuration set. <paramref name="EmailId"/> is the platform's id for the e-mail, the
/// same on every retry, so a sender can make delivery idempotent (SES: a message tag; the console sink: its folder).
/// </summary>
public sealed record SendTemplatedEmailRequest(
    Guid EmailId,
    string FromEmailAddress,
    IReadOnlyList<string> ToAddresses,
    string TemplateName,
    JsonElement TemplateData,
    IReadOnlyList<EmailAttachment> Attachments,
    string? ConfigurationSetName);

/// <param name="MessageId">The provider's id for the sent message.</param>
/// <param name="Location">Where the provider put it, when that means something (the console sink's folder).</param>
public sealed record SendTemplatedEmailResponse(string MessageId, string? Location);

/// <summary>
/// Delivers a rendered e-mail. Named apart from ASP.NET Core Identity's <c>IEmailSender&lt;TUser&gt;</c>. The MVP
/// implementation is <see cref="ConsoleEmailSink"/>; an SES adapter implements the same interface.
/// </summary>
public interface ITemplatedEmailSender
{
    /// <summary>Throws when the e-mail was not accepted; the outbox then retries it with the same <c>EmailId</c>.</summary>
    Task<SendTemplatedEmailResponse> SendAsync(SendTemplatedEmailRequest request, CancellationToken cancellationToken);
}
