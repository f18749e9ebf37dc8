using Microsoft.Extensions.Options;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Sends one queued e-mail through the configured <see cref="ITemplatedEmailSender"/>, then marks it sent. An e-mail
/// already marked sent is acknowledged without sending, and the sender is given the same e-mail id on every retry, so a
/// crash between sending and marking does not mail twice.
/// </summary>
internal sealed partial class EmailSendHandler(EmailStore store, ITemplatedEmailSender sender, IOptions<EmailOptions> options, ILogger<EmailSendHandler> logger)
    : IOutboxHandler
{
    public string Kind => EmailOutbox.SendKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var email = await store.LoadAsync(message.SubjectId, cancellationToken);
        if (email is null)
        {
            // The row commits with the outbox item, so this only happens if someone deleted it: nothing left to send.
            LogMissing(logger, message.SubjectId);
            return OutboxResult.Done;
        }
        if (email.Status == "sent") return OutboxResult.Done;

        var o = options.Value;
        var response = await sender.SendAsync(new SendTemplatedEmailRequest(email.Id, o.From, email.Recipients, email.Template, email.Model,
            email.Attachments, email.ConfigurationSet ?? o.DefaultConfigurationSet), cancellationToken);
        await store.MarkSentAsync(email.Id, response, cancellationToken);
        return OutboxResult.Done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail {EmailId} was queued but no longer exists; nothing sent")]
    private static partial void LogMissing(ILogger logger, Guid emailId);
}
