using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.SimControl.Emails;

/// <summary>Settings under <c>Emails</c>.</summary>
public sealed class EmailViewerOptions
{
    public const string SectionName = "Emails";

    /// <summary>
    /// The API's console-sink folder (its <c>Email:SinkDirectory</c>; the AppHost hands both services the same one).
    /// Empty: the API's own default, <c>platform-email</c> under the temp folder.
    /// </summary>
    public string? Directory { get; set; }

    public string ResolvedDirectory => string.IsNullOrWhiteSpace(Directory) ? Path.Combine(Path.GetTempPath(), "platform-email") : Directory;
}

/// <summary>What the API's console sink records for each e-mail (its <c>message.json</c>).</summary>
public sealed record SunkEmailMetadata(
    Guid EmailId, string? MessageId, string? From, IReadOnlyList<string> To, string Subject, string Template, string? ConfigurationSet,
    IReadOnlyList<string> Attachments, DateTimeOffset SentAt);

/// <summary>A link found in an e-mail's text body; <c>kind</c> is verification, reset or link.</summary>
public sealed record EmailLink(string Kind, string Url);

/// <summary>One e-mail as the viewer shows it. <c>htmlUrl</c>, <c>textUrl</c> and each attachment's <c>url</c> are served by simcontrol.</summary>
public sealed record SunkEmail(
    string Id, DateTimeOffset SentAt, string? From, IReadOnlyList<string> To, string Subject, string Template,
    IReadOnlyList<EmailAttachment> Attachments, string HtmlUrl, string TextUrl);

public sealed record EmailAttachment(string Name, string ContentType, long Bytes, string Url);

/// <summary>An e-mail with its text body and the links in it.</summary>
public sealed record SunkEmailDetails(SunkEmail Email, string Text, IReadOnlyList<EmailLink> Links);

public sealed record SunkEmailList(IReadOnlyList<SunkEmail> Emails, string Directory);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SunkEmailMetadata))]
internal sealed partial class EmailViewerJsonContext : JsonSerializerContext;

/// <summary>
/// Reads the e-mails the API's console sink wrote: one folder per e-mail (<c>message.json</c>, <c>body.html</c>,
/// <c>body.txt</c>, <c>attachments/</c>), moved into place complete, so a folder that exists can be read whole.
/// Metadata is cached per folder; only names the sink wrote (32 hex digits, the attachments listed) are ever opened.
/// </summary>
internal sealed partial class SunkEmails(IOptions<EmailViewerOptions> options, ILogger<SunkEmails> logger)
{
    public const string MetadataFile = "message.json";
    public const string HtmlFile = "body.html";
    public const string TextFile = "body.txt";
    public const string AttachmentsFolder = "attachments";

    private readonly ConcurrentDictionary<string, SunkEmailMetadata?> metadata = new(StringComparer.Ordinal);

    public string Directory => options.Value.ResolvedDirectory;

    public SunkEmailList List(string? recipient, string? template, int limit)
    {
        var emails = new List<SunkEmail>();
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
            {
                var id = Path.GetFileName(folder);
                if (!IsId(id) || Read(id) is not { } m) continue;
                if (recipient is { Length: > 0 } r && !m.To.Any(t => t.Contains(r, StringComparison.OrdinalIgnoreCase))) continue;
                if (template is { Length: > 0 } t && !string.Equals(m.Template, t, StringComparison.OrdinalIgnoreCase)) continue;
                emails.Add(ToView(id, m));
            }
        }
        return new SunkEmailList(emails.OrderByDescending(e => e.SentAt).ThenBy(e => e.Id, StringComparer.Ordinal).Take(limit).ToList(), Directory);
    }

    public SunkEmailDetails? Get(string id)
    {
        if (!IsId(id) || Read(id) is not { } m) return null;
        var textPath = Path.Combine(Directory, id, TextFile);
        var text = File.Exists(textPath) ? File.ReadAllText(textPath) : "";
        return new SunkEmailDetails(ToView(id, m), text, Links(text));
    }

    /// <summary>The path of one of the e-mail's own files, or null when the e-mail or the file is not the sink's.</summary>
    public string? FilePath(string id, string file)
    {
        if (!IsId(id) || Read(id) is not { } m) return null;
        var path = file switch
        {
            HtmlFile or TextFile => Path.Combine(Directory, id, file),
            _ when m.Attachments.Contains(file, StringComparer.Ordinal) => Path.Combine(Directory, id, AttachmentsFolder, file),
            _ => null,
        };
        return path is not null && File.Exists(path) ? path : null;
    }

    public static string ContentTypeOf(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".txt" => "text/plain; charset=utf-8",
        ".csv" => "text/csv; charset=utf-8",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    };

    internal static IReadOnlyList<EmailLink> Links(string text) =>
        LinkPattern().Matches(text).Select(m => m.Value.TrimEnd('.', ',', ';', ')'))
            .Distinct(StringComparer.Ordinal)
            .Select(url => new EmailLink(
                url.Contains("confirmEmail", StringComparison.OrdinalIgnoreCase) ? "verification"
                    : url.Contains("reset", StringComparison.OrdinalIgnoreCase) ? "reset" : "link",
                url))
            .ToList();

    private SunkEmail ToView(string id, SunkEmailMetadata m) =>
        new(id, m.SentAt, m.From, m.To, m.Subject, m.Template,
            m.Attachments.Select(a => new EmailAttachment(a, ContentTypeOf(a), Length(Path.Combine(Directory, id, AttachmentsFolder, a)),
                $"/sim/v1/emails/{id}/attachments/{Uri.EscapeDataString(a)}")).ToList(),
            $"/sim/v1/emails/{id}/html", $"/sim/v1/emails/{id}/text");

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private SunkEmailMetadata? Read(string id)
    {
        if (metadata.TryGetValue(id, out var known) && known is not null) return known;
        var path = Path.Combine(Directory, id, MetadataFile);
        if (!File.Exists(path)) return null;
        try
        {
            var read = JsonSerializer.Deserialize(File.ReadAllBytes(path), EmailViewerJsonContext.Default.SunkEmailMetadata);
            metadata[id] = read;
            return read;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, id, ex);
            return null;
        }
    }

    private static bool IsId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"https?://[^\s<>""']+")]
    private static partial Regex LinkPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail folder {EmailId} has no readable message.json")]
    private static partial void LogUnreadable(ILogger logger, string emailId, Exception exception);
}
