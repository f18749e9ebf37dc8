using Platform.Api.Email;
using Platform.Api.Tests.Money;

namespace Platform.Api.Tests.Email;

/// <summary>Requesting e-mails through the outbox and what the console sink makes of them.</summary>
[Collection(EmailCollection.Name)]
public sealed class EmailOutboxTests(EmailFixture fixture)
{
    private static StatementReadyEmailModel Statement() => new("Ada Lovelace", "2026-10", 123_456, 2_500, "USD", new DateOnly(2026, 11, 25));

    [Fact]
    public async Task An_enqueued_email_is_written_by_the_console_sink_with_its_bodies_and_attachment()
    {
        var pdf = "%PDF-1.7 statement bytes"u8.ToArray();
        var to = $"ada.{Guid.NewGuid():N}@example.com";

        var id = await fixture.Outbox.EnqueueAsync(new EmailMessage(EmailTemplates.StatementReady, Statement(), [to],
            [new EmailAttachment("statement-2026-10.pdf", "application/pdf", pdf)], ConfigurationSet: "statements"), CancellationToken.None);
        var sent = await fixture.SentAsync(id);

        Assert.Equal([to], sent.Metadata.To);
        Assert.Equal(EmailTemplates.StatementReady, sent.Metadata.Template);
        Assert.Equal("Your statement for 2026-10 is ready", sent.Metadata.Subject);
        Assert.Equal("statements", sent.Metadata.ConfigurationSet);
        Assert.Contains("New balance: 1,234.56 USD", sent.Text);
        Assert.Contains("Hello Ada Lovelace,", System.Net.WebUtility.HtmlDecode(sent.Html));
        var attachment = Assert.Single(sent.Attachments);
        Assert.EndsWith("statement-2026-10.pdf", attachment.Key);
        Assert.Equal(pdf, attachment.Value);
        Assert.StartsWith(fixture.SinkDirectory, sent.Folder);
    }

    [Fact]
    public async Task The_sink_logs_the_subject_template_folder_and_a_masked_recipient_never_the_address()
    {
        var local = "zelda" + Guid.NewGuid().ToString("N")[..8];
        var id = await fixture.Outbox.EnqueueAsync(new EmailMessage(EmailTemplates.Verification,
            new VerificationEmailModel("Zelda", "https://cards.example.com/confirm?t=1"), [$"{local}@example.com"]), CancellationToken.None);
        var sent = await fixture.SentAsync(id);

        var line = Assert.Single(fixture.Api.Logs.Records, r => r.Category.EndsWith(nameof(ConsoleEmailSink)) && r.Message.Contains(id.ToString()));
        Assert.Contains("z***@example.com", line.Message);
        Assert.Contains("Confirm your e-mail address", line.Message);
        Assert.Contains(EmailTemplates.Verification, line.Message);
        Assert.Contains(sent.Folder, line.Message);
        Assert.DoesNotContain(fixture.Api.Logs.Records, r => r.Message.Contains(local) || r.Properties.Any(p => p.Value?.Contains(local) == true));
    }

    [Fact]
    public async Task Requests_with_the_same_deduplication_key_make_one_email_even_when_concurrent()
    {
        var key = $"statement:{Guid.NewGuid()}:2026-10";
        var message = new EmailMessage(EmailTemplates.StatementReady, Statement(), ["ada@example.com"], DeduplicationKey: key);

        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.Outbox.EnqueueAsync(message, CancellationToken.None)));
        await fixture.SentAsync(ids[0]);
        var again = await fixture.Outbox.EnqueueAsync(message, CancellationToken.None);

        Assert.Single(ids.Distinct());
        Assert.Equal(ids[0], again);
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", key));
        Assert.Equal(1L, await fixture.ScalarAsync<long>("select count(*) from core.outbox where kind = 'email.send' and subject_id = $1", ids[0]));
        Assert.Single(Directory.GetDirectories(fixture.SinkDirectory, ids[0].ToString("N")));
    }

    [Fact]
    public async Task An_email_requested_in_a_rolled_back_transaction_is_never_stored_or_sent()
    {
        var key = $"rolled-back:{Guid.NewGuid()}";
        Guid id;
        await using (var connection = await fixture.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            id = await fixture.Outbox.EnqueueAsync(transaction, new EmailMessage(EmailTemplates.StatementReady, Statement(), ["ada@example.com"],
                [new EmailAttachment("s.pdf", "application/pdf", [1, 2, 3])], DeduplicationKey: key), CancellationToken.None);
            await transaction.RollbackAsync();
        }
        // A later e-mail that is sent proves the worker ran past the point where the rolled-back one would have been.
        var later = await fixture.Outbox.EnqueueAsync(new EmailMessage(EmailTemplates.StatementReady, Statement(), ["ada@example.com"]), CancellationToken.None);
        await fixture.SentAsync(later);

        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.emails where email_id = $1 or deduplication_key = $2", id, key));
        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.email_attachments where email_id = $1", id));
        Assert.False(Directory.Exists(Path.Combine(fixture.SinkDirectory, id.ToString("N"))));
    }

    [Fact]
    public async Task An_email_sent_again_after_its_outbox_item_is_replayed_is_not_written_twice()
    {
        var id = await fixture.Outbox.EnqueueAsync(new EmailMessage(EmailTemplates.StatementReady, Statement(), ["ada@example.com"]), CancellationToken.None);
        var first = await fixture.SentAsync(id);
        var writtenAt = Directory.GetLastWriteTimeUtc(first.Folder);

        // What a worker that crashed after sending but before acknowledging leaves behind: the item comes due again.
        await fixture.ScalarAsync<int>("update core.outbox set status = 'pending', next_attempt_at = now(), claimed_until = null where kind = 'email.send' and subject_id = $1", id);
        await fixture.ScalarAsync<int>("update core.emails set status = 'queued' where email_id = $1", id);
        await Poll.UntilAsync(() => fixture.ScalarAsync<string>("select status from core.outbox where kind = 'email.send' and subject_id = $1", id), s => s == "done");

        Assert.Equal("sent", await fixture.ScalarAsync<string>("select status from core.emails where email_id = $1", id));
        Assert.Equal(writtenAt, Directory.GetLastWriteTimeUtc(first.Folder));
        Assert.Equal(1, fixture.Api.Logs.Records.Count(r => r.Category.EndsWith(nameof(ConsoleEmailSink)) && r.Message.Contains(id.ToString())));
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("")]
    public async Task A_request_with_an_invalid_recipient_is_refused_and_stores_nothing(string recipient)
    {
        var key = $"invalid:{Guid.NewGuid()}";
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Outbox.EnqueueAsync(
            new EmailMessage(EmailTemplates.StatementReady, Statement(), [recipient], DeduplicationKey: key), CancellationToken.None));

        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", key));
    }

    [Fact]
    public async Task A_request_whose_model_does_not_match_its_template_is_refused_and_stores_nothing()
    {
        var key = $"mismatch:{Guid.NewGuid()}";
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Outbox.EnqueueAsync(
            new EmailMessage(EmailTemplates.SecurityAlert, Statement(), ["ada@example.com"], DeduplicationKey: key), CancellationToken.None));

        Assert.Equal(0L, await fixture.ScalarAsync<long>("select count(*) from core.emails where deduplication_key = $1", key));
    }
}
