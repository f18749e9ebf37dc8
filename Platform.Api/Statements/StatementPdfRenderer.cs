using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Platform.Api.Statements;

/// <summary>
/// Lays a statement out on US Letter pages with the standard 14 fonts (nothing to embed or ship): the summary box,
/// the minimum-payment notice, then the transactions, continued on further pages as needed.
/// </summary>
public sealed class StatementPdfRenderer
{
    private const double Left = 50;
    private const double Right = 562;
    private const double Top = 742;
    private const double Bottom = 60;
    private const double LineHeight = 14;
    private const int DescriptionMaxChars = 52;

    public byte[] Render(StatementDocument statement)
    {
        var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Statement {statement.Period.Name}";
        builder.DocumentInformation.Producer = "Platform card statements";
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var pages = new List<PdfPageBuilder>();
        var currency = statement.Currency;
        string Money(long amount) => MinorUnits.Format(amount, currency);

        var page = NewPage();
        var y = Top;

        Text("Card account statement", 18, Left, y, bold);
        y -= 26;
        Text($"Statement period {statement.Period.Name}: {Day(statement.PeriodStart)} to {Day(statement.PeriodEnd.AddTicks(-1))}", 10, Left, y, regular);
        y -= LineHeight;
        Text($"Account {statement.AccountId}", 10, Left, y, regular);
        y -= LineHeight;
        if (statement.HolderName is { Length: > 0 } holder)
        {
            Text($"Account holder {Printable(holder, 60)}", 10, Left, y, regular);
            y -= LineHeight;
        }
        Text($"Amounts in {currency}", 10, Left, y, regular);
        y -= 24;

        Text("Account summary", 12, Left, y, bold);
        y -= 18;
        var totals = statement.Totals;
        foreach (var (label, amount, isBold) in new (string, long, bool)[]
                 {
                     ("Previous balance", totals.PreviousBalance, false),
                     ("Payments", -totals.Payments, false),
                     ("Purchases", totals.Purchases, false),
                     ("Refunds", -totals.Refunds, false),
                     ("Fees charged", totals.Fees, false),
                     ("Interest charged", totals.Interest, false),
                     ("New balance", totals.NewBalance, true),
                     ("Minimum payment due", totals.MinimumPayment, true),
                 })
        {
            SummaryRow(label, Money(amount), isBold ? bold : regular);
        }
        SummaryRow("Payment due date", totals.DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), bold);
        y -= 10;

        // Reg Z 1026.7(b)(12) requires this warning on every periodic statement of a card account.
        Text("Minimum payment warning: if you make only the minimum payment each period, you will pay more in interest", 8, Left, y, regular);
        y -= 10;
        Text("and it will take you longer to pay off your balance.", 8, Left, y, regular);
        y -= 24;

        Text("Transactions", 12, Left, y, bold);
        y -= 18;
        TransactionHeader();
        if (statement.Lines.Count == 0)
        {
            Text("No transactions this period.", 10, Left, y, regular);
            y -= LineHeight;
        }
        foreach (var line in statement.Lines)
        {
            if (y < Bottom + LineHeight)
            {
                page = NewPage();
                y = Top;
                Text($"Statement {statement.Period.Name}, transactions (continued)", 10, Left, y, bold);
                y -= 20;
                TransactionHeader();
            }
            Text(Day(line.PostedAt), 9, Left, y, regular);
            Text(Kind(line.EntryType), 9, Left + 70, y, regular);
            Text(Printable(line.Description, DescriptionMaxChars), 9, Left + 140, y, regular);
            RightAligned(Money(line.Amount), 9, y, regular);
            y -= LineHeight;
        }

        for (var i = 0; i < pages.Count; i++)
        {
            pages[i].AddText($"Page {i + 1} of {pages.Count}", 8, new PdfPoint(Left, Bottom - 30), regular);
            pages[i].AddText($"Generated {statement.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", 8,
                new PdfPoint(Left + 200, Bottom - 30), regular);
        }
        return builder.Build();

        PdfPageBuilder NewPage()
        {
            var added = builder.AddPage(PageSize.Letter);
            pages.Add(added);
            return added;
        }

        void Text(string text, double size, double x, double atY, PdfDocumentBuilder.AddedFont font) =>
            page.AddText(text, size, new PdfPoint(x, atY), font);

        void RightAligned(string text, double size, double atY, PdfDocumentBuilder.AddedFont font)
        {
            var width = page.MeasureText(text, size, new PdfPoint(0, 0), font).Sum(l => l.Width);
            page.AddText(text, size, new PdfPoint(Right - width, atY), font);
        }

        void SummaryRow(string label, string value, PdfDocumentBuilder.AddedFont font)
        {
            Text(label, 10, Left, y, font);
            RightAligned(value, 10, y, font);
            y -= LineHeight;
        }

        void TransactionHeader()
        {
            Text("Date", 9, Left, y, bold);
            Text("Type", 9, Left + 70, y, bold);
            Text("Description", 9, Left + 140, y, bold);
            RightAligned("Amount", 9, y, bold);
            y -= 4;
            page.DrawLine(new PdfPoint(Left, y), new PdfPoint(Right, y), 0.5);
            y -= LineHeight;
        }
    }

    private static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Kind(string entryType) => entryType switch
    {
        "purchase" => "Purchase",
        "refund" => "Refund",
        "payment" => "Payment",
        "fee" => "Fee",
        "interest" => "Interest",
        _ => entryType,
    };

    /// <summary>
    /// The standard 14 fonts only cover Latin-1; merchant names come from the card networks and may hold anything, so
    /// other characters print as '?' instead of failing the statement.
    /// </summary>
    internal static string Printable(string text, int maxChars)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxChars));
        foreach (var c in text)
        {
            if (builder.Length == maxChars) break;
            builder.Append(c is >= ' ' and <= '~' or >= '\u00A1' and <= '\u00FF' ? c : c is '\u00A0' or '\t' ? ' ' : '?');
        }
        if (text.Length > maxChars)
        {
            builder.Length = maxChars - 3;
            builder.Append("...");
        }
        return builder.ToString();
    }
}
