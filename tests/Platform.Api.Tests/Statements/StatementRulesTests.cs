using Platform.Api.Statements;

namespace Platform.Api.Tests.Statements;

public sealed class StatementRulesTests
{
    private static readonly StatementOptions Defaults = new();

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(-500, 0, 0, 0)]
    [InlineData(1000, 0, 0, 1000)]         // below the floor: the whole balance
    [InlineData(16550, 0, 0, 2500)]        // 1% is 1.66: the 25.00 floor
    [InlineData(307000, 0, 0, 3070)]       // 1% of 3,070.00
    [InlineData(307001, 0, 0, 3071)]       // rounded up to the minor unit
    [InlineData(307000, 1500, 4000, 8570)] // fees and interest come on top of the 1%
    public void Minimum_payment_is_one_percent_plus_fees_and_interest_at_least_the_floor_and_at_most_the_balance(long newBalance, long fees, long interest, long expected) =>
        Assert.Equal(expected, StatementCalculator.MinimumPayment(newBalance, fees, interest, Defaults));

    [Fact]
    public void A_posting_type_the_statement_cannot_show_refuses_the_statement() =>
        Assert.Throws<InvalidOperationException>(() => StatementCalculator.Compute(0,
            [new StatementLine(1, DateTimeOffset.UnixEpoch, "adjustment", "?", 100)], DateTimeOffset.UnixEpoch.AddDays(31), Defaults));

    [Theory]
    [InlineData("2031-02", true)]
    [InlineData("2031-12", true)]
    [InlineData("2031-13", false)]
    [InlineData("1999-12", false)]
    [InlineData("2031-2", false)]
    [InlineData("2031/02", false)]
    [InlineData("+031-02", false)]
    [InlineData("", false)]
    public void Periods_are_strictly_year_dash_month(string text, bool valid) =>
        Assert.Equal(valid, StatementPeriod.TryParse(text, out _));

    [Fact]
    public void With_cycle_day_one_a_period_is_the_calendar_month()
    {
        var period = StatementPeriod.Containing(new DateTimeOffset(2031, 2, 28, 23, 59, 0, TimeSpan.Zero), 1);

        Assert.Equal("2031-02", period.Name);
        Assert.Equal(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero), period.EndsAt(1));
        Assert.Equal(new DateOnly(2031, 2, 28), StatementCalculator.ClosingDate(period.EndsAt(1)));
    }

    [Fact]
    public void The_pdf_prints_characters_outside_latin_1_as_question_marks_and_cuts_long_descriptions() =>
        Assert.Equal("Caf\u00e9 ??...", StatementPdfRenderer.Printable("Caf\u00e9 \u6771\u4eac market street", 10));
}
