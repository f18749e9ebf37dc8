using System.Net.Mail;
using Npgsql;
using Platform.Api.Outbox;

namespace Platform.Api.Email;

/// <summary>
/// Requests e-mails durably: the e-mail row, its attachments and an outbox item commit with the caller's transaction, so
/// an e-mail exists exactly when the business change does; <see cref="EmailSendHandler"/> sends it. A repeated
/// <see cref="EmailMessage.DeduplicationKey"/> is answered with the first e-mail's id and queues nothing (the unique
/// constraint settles races between concurrent requests).
/// </summary>
internal sealed class EmailOutbox(NpgsqlDataSource dataSource, EmailStore store, OutboxStore outbox, EmailRenderer renderer) : IEmailOutbox
{
    public const string SendKind = "email.send";
    public const int MaxRecipients = 50;

    // SES takes 40 MB including encoding overhead; a statement PDF is a few hundred kilobytes.
    public const int MaxAttachmentBytes = 10 * 1024 * 1024;

    public async Task<Guid> EnqueueAsync(NpgsqlTransaction transaction, EmailMessage message, CancellationToken cancellationToken)
    {
        var model = Validate(message);
        var attachments = message.Attachments ?? [];
        var id = await store.InsertAsync(transaction, message.Template, model, message.To, message.ConfigurationSet, message.DeduplicationKey,
            attachments, cancellationToken);
        if (id is null) return await store.FindByDeduplicationKeyAsync(transaction, message.DeduplicationKey!, cancellationToken);
        await outbox.EnqueueAsync(transaction, SendKind, id.Value, null, cancellationToken);
        return id.Value;
    }

    public async Task<Guid> EnqueueAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await EnqueueAsync(transaction, message, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        outbox.Wake();
        return id;
    }

    /// <summary>
    /// Wrong requests are programming errors of the requesting feature: they fail its transaction now rather than
    /// leaving an e-mail that can never be sent.
    /// </summary>
    private System.Text.Json.JsonElement Validate(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message.Model);
        if (message.To is not { Count: > 0 and <= MaxRecipients })
            throw new ArgumentException($"An e-mail needs 1 to {MaxRecipients} recipients.", nameof(message));
        foreach (var address in message.To)
        {
            if (!IsAddress(address)) throw new ArgumentException("A recipient is not a valid e-mail address.", nameof(message));
        }
        if (message.DeduplicationKey is { Length: 0 or > 200 })
            throw new ArgumentException("A deduplication key is 1 to 200 characters.", nameof(message));
        if (message.ConfigurationSet is { Length: 0 or > 64 })
            throw new ArgumentException("A configuration set name is 1 to 64 characters.", nameof(message));
        var attachments = message.Attachments ?? [];
        if (attachments.Any(a => string.IsNullOrWhiteSpace(a.FileName) || string.IsNullOrWhiteSpace(a.ContentType) || a.Content is null))
            throw new ArgumentException("Every attachment needs a file name, a content type and content.", nameof(message));
        if (attachments.Sum(a => (long)a.Content.Length) > MaxAttachmentBytes)
            throw new ArgumentException($"Attachments total more than {MaxAttachmentBytes} bytes.", nameof(message));
        return renderer.Serialize(message.Template, message.Model);
    }

    /// <summary>A bare address (no display name), as SES's Destination takes it.</summary>
    public static bool IsAddress(string? value) =>
        value is { Length: > 2 and <= 254 } && MailAddress.TryCreate(value, out var parsed) && parsed.Address == value && parsed.DisplayName.Length == 0;
}
