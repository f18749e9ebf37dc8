using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Platform.Api.Data;

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
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using (var command = Sql.Command(transaction.Connection!, transaction, """
            insert into core.emails (email_id, template, model, recipients, configuration_set, deduplication_key, created_at)
            values ($1, $2, $3, $4, $5, $6, $7)
            on conflict (deduplication_key) do nothing
            returning email_id
            """, id, template, null, recipients.ToArray(), configurationSet, deduplicationKey, now))
        {
            command.Parameters[2] = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = model.GetRawText() };
            if (await command.ExecuteScalarAsync(cancellationToken) is null) return null;
        }

        if (attachments.Count > 0)
        {
            await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
            for (var i = 0; i < attachments.Count; i++)
            {
                batch.BatchCommands.Add(Sql.BatchCommand(
                    "insert into core.email_attachments (email_id, position, file_name, content_type, content) values ($1, $2, $3, $4, $5)",
                    id, i, attachments[i].FileName, attachments[i].ContentType, attachments[i].Content));
            }
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        return id;
    }

    public async Task<Guid> FindByDeduplicationKeyAsync(NpgsqlTransaction transaction, string deduplicationKey, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(transaction.Connection!, transaction,
            "select email_id from core.emails where deduplication_key = $1", deduplicationKey);
        return (Guid)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<StoredEmail?> LoadAsync(Guid emailId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        Guid id; string template; JsonElement model; string[] recipients; string? configurationSet; string status;
        await using (var command = Sql.Command(connection, null,
            "select email_id, template, model::text, recipients, configuration_set, status from core.emails where email_id = $1", emailId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return null;
            id = reader.GetGuid(0);
            template = reader.GetString(1);
            using (var document = JsonDocument.Parse(reader.GetString(2))) model = document.RootElement.Clone();
            recipients = reader.GetFieldValue<string[]>(3);
            configurationSet = reader.IsDBNull(4) ? null : reader.GetString(4);
            status = reader.GetString(5);
        }

        var attachments = new List<EmailAttachment>();
        await using (var command = Sql.Command(connection, null,
            "select file_name, content_type, content from core.email_attachments where email_id = $1 order by position", emailId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                attachments.Add(new EmailAttachment(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
        }
        return new StoredEmail(id, template, model, recipients, configurationSet, status, attachments);
    }

    public async Task MarkSentAsync(Guid emailId, SendTemplatedEmailResponse response, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, """
            update core.emails set status = 'sent', provider_message_id = $2, location = $3, sent_at = $4
            where email_id = $1 and status = 'queued'
            """, cancellationToken, emailId, response.MessageId, response.Location, time.GetUtcNow());
    }
}
