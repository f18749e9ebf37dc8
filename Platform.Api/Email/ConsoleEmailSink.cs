using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Api.Email;

/// <summary>
/// The MVP sender: renders the e-mail, writes it to <c>{SinkDirectory}/{emailId}/</c> (message.json, body.html,
/// body.txt, attachments/) and logs one line saying so. The folder is written under a temporary name and renamed into
/// place, so it appears complete or not at all, and a retry of an e-mail already written finds it and sends nothing.
/// </summary>
internal sealed partial class ConsoleEmailSink(EmailRenderer renderer, IOptions<EmailOptions> options, TimeProvider time, ILogger<ConsoleEmailSink> logger)
    : ITemplatedEmailSender
{
    public const string MetadataFile = "message.json";
    public const string HtmlFile = "body.html";
    public const string TextFile = "body.txt";
    public const string AttachmentsFolder = "attachments";

    private static readonly JsonSerializerOptions MetadataJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<SendTemplatedEmailResponse> SendAsync(SendTemplatedEmailRequest request, CancellationToken cancellationToken)
    {
        var root = options.Value.ResolvedSinkDirectory;
        var folder = Path.Combine(root, request.EmailId.ToString("N"));
        var messageId = "console-" + request.EmailId.ToString("N");
        if (Directory.Exists(folder)) return new SendTemplatedEmailResponse(messageId, folder);

        var rendered = renderer.Render(request.TemplateName, request.TemplateData);
        Directory.CreateDirectory(root);
        var staging = Path.Combine(root, $".{request.EmailId:N}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, AttachmentsFolder));
            await File.WriteAllTextAsync(Path.Combine(staging, HtmlFile), rendered.HtmlBody, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(staging, TextFile), rendered.TextBody, cancellationToken);
            var attachmentNames = new List<string>();
            foreach (var attachment in request.Attachments)
            {
                var name = SafeFileName(attachment.FileName, attachmentNames.Count);
                attachmentNames.Add(name);
                await File.WriteAllBytesAsync(Path.Combine(staging, AttachmentsFolder, name), attachment.Content, cancellationToken);
            }
            var metadata = new SinkMetadata(request.EmailId, messageId, request.FromEmailAddress, request.ToAddresses, rendered.Subject,
                request.TemplateName, request.ConfigurationSetName, attachmentNames, time.GetUtcNow());
            await File.WriteAllTextAsync(Path.Combine(staging, MetadataFile), JsonSerializer.Serialize(metadata, MetadataJson), cancellationToken);
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another instance wrote the same e-mail first (a lease lapsed mid-send): theirs stands, this copy goes.
            TryDelete(staging);
            return new SendTemplatedEmailResponse(messageId, folder);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }

        LogSent(logger, rendered.Subject, RecipientMask.Mask(request.ToAddresses), request.TemplateName, request.EmailId, folder);
        return new SendTemplatedEmailResponse(messageId, folder);
    }

    /// <summary>Attachment names come from callers: keep only the name, and only characters every file system takes.</summary>
    private static string SafeFileName(string fileName, int index)
    {
        var name = Path.GetFileName(fileName);
        var invalid = Path.GetInvalidFileNameChars();
        name = new string([.. name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c)]).Trim('.', ' ');
        return index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + (name.Length == 0 ? "attachment" : name);
    }

    private static void TryDelete(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { /* a leftover staging folder is harmless: it is never read */ }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "E-mail \"{Subject}\" to {Recipient} (template {Template}, id {EmailId}) written to {Folder}")]
    private static partial void LogSent(ILogger logger, string subject, string recipient, string template, Guid emailId, string folder);
}

/// <summary>What the sink records next to the bodies: what a provider would have been asked to send.</summary>
public sealed record SinkMetadata(
    Guid EmailId,
    string MessageId,
    string From,
    IReadOnlyList<string> To,
    string Subject,
    string Template,
    string? ConfigurationSet,
    IReadOnlyList<string> Attachments,
    DateTimeOffset SentAt);
