using Npgsql;

namespace Platform.Api.Email;

/// <summary>A file sent with an e-mail (a statement PDF, for instance).</summary>
public sealed record EmailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// An e-mail to send, shaped like SES's templated send: a template name, the typed model it renders, recipients,
/// attachments and a configuration set. <paramref name="DeduplicationKey"/> makes a request idempotent: a second request
/// with the same key (e.g. "statement:{account}:{period}") is ignored, so retried business work never mails twice.
/// </summary>
public sealed record EmailMessage(
    string Template,
    object Model,
    IReadOnlyList<string> To,
    IReadOnlyList<EmailAttachment>? Attachments = null,
    string? ConfigurationSet = null,
    string? DeduplicationKey = null);

/// <summary>
/// Requests e-mails durably. Inside a business transaction the request commits (or rolls back) with it; the outbox then
/// renders and sends it once through the configured <c>IEmailSender</c>.
/// </summary>
public interface IEmailOutbox
{
    /// <returns>The e-mail's id, or the existing one when <see cref="EmailMessage.DeduplicationKey"/> was used before.</returns>
    Task<Guid> EnqueueAsync(NpgsqlTransaction transaction, EmailMessage message, CancellationToken cancellationToken);

    /// <summary>In a transaction of its own (e.g. from Identity's e-mail hooks).</summary>
    Task<Guid> EnqueueAsync(EmailMessage message, CancellationToken cancellationToken);
}

/// <summary>Where to write to the holder of an account; null when the account has no reachable owner.</summary>
public interface IAccountContacts
{
    Task<AccountContact?> FindAsync(Guid accountId, CancellationToken cancellationToken);
}

public sealed record AccountContact(string Email, string DisplayName);
