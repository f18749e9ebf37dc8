using System.Text;
using static Platform.Api.Email.EmailFormat;

namespace Platform.Api.Email;

/// <summary>
/// An e-mail's content as typed blocks, rendered to both HTML and plain text, so the two bodies can never say different
/// things and every value is HTML-encoded in one place.
/// </summary>
internal sealed class EmailDocument(string subject)
{
    private readonly List<Block> blocks = [];

    public string Subject { get; } = subject;

    public EmailDocument Heading(string text) { blocks.Add(new HeadingBlock(text)); return this; }

    public EmailDocument Paragraph(string text) { blocks.Add(new ParagraphBlock(text, Small: false)); return this; }

    /// <summary>Regulatory and footer text: same words, smaller print.</summary>
    public EmailDocument SmallPrint(string text) { blocks.Add(new ParagraphBlock(text, Small: true)); return this; }

    public EmailDocument Facts(params (string Label, string Value)[] facts) { blocks.Add(new FactsBlock(facts)); return this; }

    public EmailDocument Bullets(IEnumerable<string> items) { blocks.Add(new BulletsBlock([.. items])); return this; }

    public EmailDocument Action(string label, string url) { blocks.Add(new ActionBlock(label, url)); return this; }

    public RenderedEmail Render() => new(Subject, RenderHtml(), RenderText());

    private string RenderHtml()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Html(Subject)).Append("</title></head>\n");
        html.Append("<body style=\"font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1b1b1b;max-width:640px;margin:0 auto;padding:24px\">\n");
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    html.Append("<h2>").Append(Html(h.Text)).Append("</h2>\n");
                    break;
                case ParagraphBlock { Small: true } p:
                    html.Append("<p style=\"font-size:12px;color:#555\">").Append(Html(p.Text)).Append("</p>\n");
                    break;
                case ParagraphBlock p:
                    html.Append("<p>").Append(Html(p.Text)).Append("</p>\n");
                    break;
                case FactsBlock f:
                    html.Append("<table role=\"presentation\" style=\"border-collapse:collapse\">\n");
                    foreach (var (label, value) in f.Facts)
                        html.Append("<tr><th style=\"text-align:left;padding:4px 16px 4px 0\">").Append(Html(label))
                            .Append("</th><td style=\"padding:4px 0\">").Append(Html(value)).Append("</td></tr>\n");
                    html.Append("</table>\n");
                    break;
                case BulletsBlock b:
                    html.Append("<ul>\n");
                    foreach (var item in b.Items) html.Append("<li>").Append(Html(item)).Append("</li>\n");
                    html.Append("</ul>\n");
                    break;
                case ActionBlock a:
                    html.Append("<p><a href=\"").Append(Html(a.Url)).Append("\" style=\"background:#0f6cbd;color:#fff;padding:10px 16px;text-decoration:none;border-radius:4px\">")
                        .Append(Html(a.Label)).Append("</a></p>\n");
                    break;
            }
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private string RenderText()
    {
        var text = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case HeadingBlock h:
                    text.Append(h.Text).Append('\n').Append(new string('=', h.Text.Length)).Append("\n\n");
                    break;
                case ParagraphBlock p:
                    text.Append(p.Text).Append("\n\n");
                    break;
                case FactsBlock f:
                    foreach (var (label, value) in f.Facts) text.Append(label).Append(": ").Append(value).Append('\n');
                    text.Append('\n');
                    break;
                case BulletsBlock b:
                    foreach (var item in b.Items) text.Append("- ").Append(item).Append('\n');
                    text.Append('\n');
                    break;
                case ActionBlock a:
                    text.Append(a.Label).Append(": ").Append(a.Url).Append("\n\n");
                    break;
            }
        }
        return text.ToString().TrimEnd() + "\n";
    }

    private abstract record Block;
    private sealed record HeadingBlock(string Text) : Block;
    private sealed record ParagraphBlock(string Text, bool Small) : Block;
    private sealed record FactsBlock((string Label, string Value)[] Facts) : Block;
    private sealed record BulletsBlock(string[] Items) : Block;
    private sealed record ActionBlock(string Label, string Url) : Block;
}
