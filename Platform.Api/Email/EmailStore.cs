using System.Text.Json;
using Dapper;
using Npgsql;
using Platform.Data;

namespace Platform.Api.Email;

/// <summary>A queued e-mail as the sender needs it.</summary>
internal sealed record StoredEmail(
    Guid Id, string Template, JsonElement Model, IReadOnlyList<string> Recipients, string? ConfigurationSet, string Status,
    IReadOnlyList<EmailAttachment> Attachments);

/// <summary>The <c>core.emails</c> and <c>core.email_attachments</c> tables.</summary>
internal sealed class EmailStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <returns>The new e-mail's id, or null when <paramref name="deduplicationKey"/> was already used.</returns>
    public async Task<Guid?> InsertAsync(NpgsqlTransaction transaction, string template, JsonElement model, IReadOnlyList<string> recipients,
        string? configurationSet, string? deduplicationKey, IReadOnlyList<EmailAttachment> attachments, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var inserted = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition("""
            insert into core.emails (email_id, template, model, recipients, configuration_set, deduplication_key, created_at)
            values (@id, @template, @model, @recipients, @configurationSet, @deduplicationKey, @now)
            on conflict (deduplication_key) do nothing
            returning email_id
            """, new { id, template, model = JsonParameter.Jsonb(model.GetRawText()), recipients = recipients.ToArray(), configurationSet, deduplicationKey, now },
            transaction, cancellationToken: cancellationToken));
        if (inserted is null) return null;

        if (attachments.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into core.email_attachments (email_id, position, file_name, content_type, content) values (@id, @position, @fileName, @contentType, @content)",
                attachments.Select((a, position) => new { id, position, fileName = a.FileName, contentType = a.ContentType, content = a.Content }),
                transaction, cancellationToken: cancellationToken));
        }
        return id;
    }

    public Task<Guid> FindByDeduplicationKeyAsync(NpgsqlTransaction transaction, string deduplicationKey, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "select email_id from core.emails where deduplication_key = @deduplicationKey", new { deduplicationKey }, transaction, cancellationToken: cancellationToken));

    public async Task<StoredEmail?> LoadAsync(Guid emailId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var email = await connection.QuerySingleOrDefaultAsync<EmailRow>(new CommandDefinition(
            "select email_id, template, model::text, recipients, configuration_set, status from core.emails where email_id = @emailId",
            new { emailId }, cancellationToken: cancellationToken));
        if (email is null) return null;

        var attachments = await connection.QueryAsync<EmailAttachment>(new CommandDefinition(
            "select file_name, content_type, content from core.email_attachments where email_id = @emailId order by position",
            new { emailId }, cancellationToken: cancellationToken));
        JsonElement model;
        using (var document = JsonDocument.Parse(email.Model)) model = document.RootElement.Clone();
        return new StoredEmail(email.EmailId, email.Template, model, email.Recipients, email.ConfigurationSet, email.Status, [.. attachments]);
    }

    public async Task MarkSentAsync(Guid emailId, SendTemplatedEmailResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            update core.emails set status = 'sent', provider_message_id = @messageId, location = @location, sent_at = @now
            where email_id = @emailId and status = 'queued'
            """, new { emailId, messageId = response.MessageId, location = response.Location, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    private sealed record EmailRow
    {
        public Guid EmailId { get; init; }
        public string Template { get; init; } = "";
        public string Model { get; init; } = "";
        public string[] Recipients { get; init; } = [];
        public string? ConfigurationSet { get; init; }
        public string Status { get; init; } = "";
    }
}
