using UglyToad.PdfPig;

namespace Platform.Api.Tests.Statements;

/// <summary>A PDF's text as the reader sees it: one string per printed line, words left to right, pages in order.</summary>
internal static class PdfText
{
    public static IReadOnlyList<string> Lines(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var lines = new List<string>();
        foreach (var page in document.GetPages())
        {
            lines.AddRange(page.GetWords()
                .GroupBy(w => Math.Round(w.BoundingBox.Bottom))
                .OrderByDescending(g => g.Key)
                .Select(g => string.Join(' ', g.OrderBy(w => w.BoundingBox.Left).Select(w => w.Text))));
        }
        return lines;
    }
}
