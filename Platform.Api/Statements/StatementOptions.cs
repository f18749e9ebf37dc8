using System.ComponentModel.DataAnnotations;

namespace Platform.Api.Statements;

/// <summary>Settings under <c>Statements</c>, checked at start-up.</summary>
public sealed class StatementOptions
{
    public const string Section = "Statements";

    /// <summary>
    /// Day of the month (UTC) a period starts and the previous one closes, for accounts without a day of their own
    /// (<c>core.accounts.statement_cycle_day</c>). At most 28 so that every month has it.
    /// </summary>
    [Range(1, 28)]
    public int CycleDay { get; set; } = 1;

    /// <summary>
    /// A period is cycled only this long after it ended: a posting stamped just before the end may still be committing,
    /// and a statement read before it commits would leave it off this statement and (being before the next period's
    /// start) off the next one too.
    /// </summary>
    [Range(0, 24 * 60)]
    public int CloseAfterMinutes { get; set; } = 15;

    /// <summary>How often each API instance looks for accounts whose period has closed.</summary>
    [Range(1, 24 * 3600)]
    public int CycleIntervalSeconds { get; set; } = 300;

    /// <summary>Days from the closing date (the period's last day) to the payment due date; Reg Z wants at least 21 after mailing.</summary>
    [Range(21, 60)]
    public int PaymentDueDays { get; set; } = 25;

    /// <summary>The least minimum payment, in the account currency's minor units (2500 = 25.00).</summary>
    [Range(0, 1_000_000)]
    public long MinimumPaymentFloor { get; set; } = 2500;

    /// <summary>Percent of the new balance in the minimum payment, before fees and interest are added.</summary>
    [Range(0.0, 100.0)]
    public double MinimumPaymentPercent { get; set; } = 1.0;
}
