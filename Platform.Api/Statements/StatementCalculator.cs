namespace Platform.Api.Statements;

/// <summary>A posted ledger posting inside a statement's window, as the statement lists it.</summary>
public sealed record StatementLine(long PostingId, DateTimeOffset PostedAt, string EntryType, string Description, long Amount);

/// <summary>The figures on a statement. Credits (payments, refunds) are positive magnitudes.</summary>
public sealed record StatementTotals(
    long PreviousBalance, long Payments, long Purchases, long Refunds, long Fees, long Interest, long NewBalance, long MinimumPayment, DateOnly DueDate);

/// <summary>The statement arithmetic, apart from storage so the rules can be read (and tested) in one place.</summary>
public static class StatementCalculator
{
    /// <summary>
    /// Sums the window's postings by kind. Every posted entry type must land in a line of the statement: an unknown one
    /// throws, because a statement whose lines do not add up to its new balance must never be sent.
    /// </summary>
    public static StatementTotals Compute(long previousBalance, IReadOnlyList<StatementLine> lines, DateTimeOffset periodEnd, StatementOptions options)
    {
        long payments = 0, purchases = 0, refunds = 0, fees = 0, interest = 0;
        foreach (var line in lines)
        {
            switch (line.EntryType)
            {
                case "purchase": purchases += line.Amount; break;
                case "refund": refunds -= line.Amount; break;
                case "payment": payments -= line.Amount; break;
                case "fee": fees += line.Amount; break;
                case "interest": interest += line.Amount; break;
                default: throw new InvalidOperationException($"Posting {line.PostingId} has entry type '{line.EntryType}', which statements do not know how to show.");
            }
        }
        var newBalance = previousBalance + purchases - refunds - payments + fees + interest;
        return new StatementTotals(previousBalance, payments, purchases, refunds, fees, interest, newBalance,
            MinimumPayment(newBalance, fees, interest, options), DueDate(periodEnd, options));
    }

    /// <summary>
    /// Nothing when nothing is owed; otherwise the percentage of the new balance (rounded up to the minor unit) plus the
    /// period's fees and interest, at least the floor, and never more than the new balance itself.
    /// </summary>
    public static long MinimumPayment(long newBalance, long fees, long interest, StatementOptions options)
    {
        if (newBalance <= 0) return 0;
        var percentPart = (long)Math.Ceiling(newBalance * (decimal)options.MinimumPaymentPercent / 100m);
        return Math.Min(newBalance, Math.Max(options.MinimumPaymentFloor, percentPart + fees + interest));
    }

    /// <summary><see cref="StatementOptions.PaymentDueDays"/> after the closing date, the last day inside the period.</summary>
    public static DateOnly DueDate(DateTimeOffset periodEnd, StatementOptions options) =>
        ClosingDate(periodEnd).AddDays(options.PaymentDueDays);

    public static DateOnly ClosingDate(DateTimeOffset periodEnd) => DateOnly.FromDateTime(periodEnd.UtcDateTime.AddTicks(-1));
}
