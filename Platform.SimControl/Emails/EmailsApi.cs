using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.SimControl.Emails;

/// <summary>
/// <c>/sim/v1/emails</c>: every e-mail the platform sent (the API's console sink), newest first, with its bodies,
/// attachments and links. HTML bodies are served sandboxed: no scripts, no same-origin access, nothing loaded.
/// </summary>
internal static class EmailsApi
{
    /// <summary>A rendered e-mail is somebody else's HTML: it may show itself and open links in a new tab, nothing more.</summary>
    public const string HtmlPolicy = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    public static RouteGroupBuilder MapEmailsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sim/v1/emails").WithTags("sim-emails");
        group.MapGet("/", List);
        group.MapGet("/{id}", Get);
        group.MapGet("/{id}/html", Html).Produces<Stream>(StatusCodes.Status200OK, "text/html");
        group.MapGet("/{id}/text", Text).Produces<Stream>(StatusCodes.Status200OK, "text/plain");
        // The type is the file's own: a statement's application/pdf, or application/octet-stream.
        group.MapGet("/{id}/attachments/{name}", Attachment).Produces<Stream>(StatusCodes.Status200OK, "application/pdf", "application/octet-stream", "text/plain", "text/csv", "image/png", "image/jpeg");
        return group;
    }

    /// <summary>Lists the e-mails the platform sent, newest first, filtered by recipient and template.</summary>
    public static Results<Ok<SunkEmailList>, ValidationProblem> List(string? recipient, string? template, int? limit, SunkEmails emails)
    {
        if (limit is < 1 or > 1000) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["1 to 1000."] });
        if (recipient is { Length: > 320 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["recipient"] = ["At most 320 characters."] });
        return TypedResults.Ok(emails.List(recipient?.Trim(), template?.Trim(), limit ?? 100));
    }

    /// <summary>Reads one e-mail with its text body and the links in it.</summary>
    public static Results<Ok<SunkEmailDetails>, NotFound> Get(string id, SunkEmails emails) =>
        emails.Get(id) is { } details ? TypedResults.Ok(details) : TypedResults.NotFound();

    /// <summary>Serves an e-mail's HTML body, sandboxed (no scripts, nothing loaded from elsewhere).</summary>
    public static Results<PhysicalFileHttpResult, NotFound> Html(string id, HttpContext http, SunkEmails emails)
    {
        if (emails.FilePath(id, SunkEmails.HtmlFile) is not { } path) return TypedResults.NotFound();
        http.Response.Headers.ContentSecurityPolicy = HtmlPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.PhysicalFile(path, "text/html; charset=utf-8");
    }

    /// <summary>Serves an e-mail's text body.</summary>
    public static Results<PhysicalFileHttpResult, NotFound> Text(string id, HttpContext http, SunkEmails emails)
    {
        if (emails.FilePath(id, SunkEmails.TextFile) is not { } path) return TypedResults.NotFound();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.PhysicalFile(path, "text/plain; charset=utf-8");
    }

    /// <summary>Serves one of an e-mail's attachments: a PDF opens in the browser, anything else downloads.</summary>
    public static Results<PhysicalFileHttpResult, NotFound> Attachment(string id, string name, HttpContext http, SunkEmails emails)
    {
        if (emails.FilePath(id, name) is not { } path) return TypedResults.NotFound();
        var type = SunkEmails.ContentTypeOf(name);
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentDisposition = (type == "application/pdf" ? "inline" : "attachment") + $"; filename=\"{SafeHeaderName(name)}\"";
        return TypedResults.PhysicalFile(path, type);
    }

    private static string SafeHeaderName(string name) => new([.. name.Select(c => c is '"' or '\\' || char.IsControl(c) || c > 126 ? '_' : c)]);
}
