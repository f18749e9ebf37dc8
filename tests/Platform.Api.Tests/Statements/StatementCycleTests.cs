using Platform.Api.Statements;

namespace Platform.Api.Tests.Statements;

[Collection(StatementsCollection.Name)]
public sealed class StatementCycleTests(StatementsFixture fixture)
{
    private MovableClock Clock => fixture.Clock;
    private TestLedger Ledger => fixture.Ledger;

    [Fact]
    public async Task Closing_a_period_produces_one_pdf_statement_whose_totals_match_the_ledger()
    {
        var opened = Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        var groceries = await Ledger.PurchaseAsync(account, 6000, "Corner Grocery");
        Clock.MoveToDay(10);
        await Ledger.PurchaseAsync(account, 12550, "Skyline Airways");
        Clock.MoveToDay(12);
        await Ledger.RefundAsync(account, groceries, 2000);
        await Ledger.HoldAsync(account, 9900, "Pending Hotel");

        Clock.MoveToNextMonth(day: 2);
        var result = await fixture.CycleAsync();

        var statement = Assert.Single(result.Produced, s => s.AccountId == account);
        var period = $"{opened:yyyy-MM}";
        var (postedBalance, sumOfPostings) = await Ledger.BalancesAsync(account);
        Assert.Equal(period, statement.Period);
        Assert.Equal(0, statement.PreviousBalance);
        Assert.Equal(18550, statement.Purchases);
        Assert.Equal(2000, statement.Refunds);
        Assert.Equal(0, statement.Payments);
        Assert.Equal(0, statement.Fees);
        Assert.Equal(0, statement.Interest);
        Assert.Equal(16550, statement.NewBalance);
        Assert.Equal(postedBalance, statement.NewBalance);
        Assert.Equal(sumOfPostings, statement.NewBalance);
        Assert.Equal(2500, statement.MinimumPayment);
        var closing = DateOnly.FromDateTime(opened.UtcDateTime).AddMonths(1).AddDays(-opened.Day);
        Assert.Equal(closing, statement.ClosingDate);
        Assert.Equal(closing.AddDays(25), statement.DueDate);
        Assert.Equal(3, statement.TransactionCount);

        var text = PdfText.Lines(await fixture.DownloadAsync(account, period));
        Assert.Contains($"Statement period {period}: {opened:yyyy-MM}-01 to {closing:yyyy-MM-dd}", text);
        Assert.Contains("Previous balance 0.00", text);
        Assert.Contains("Payments 0.00", text);
        Assert.Contains("Purchases 185.50", text);
        Assert.Contains("Refunds -20.00", text);
        Assert.Contains("Fees charged 0.00", text);
        Assert.Contains("Interest charged 0.00", text);
        Assert.Contains("New balance 165.50", text);
        Assert.Contains("Minimum payment due 25.00", text);
        Assert.Contains($"Payment due date {closing.AddDays(25):yyyy-MM-dd}", text);
        Assert.Contains($"{opened:yyyy-MM}-10 Purchase Skyline Airways 125.50", text);
        Assert.Contains($"{opened:yyyy-MM}-12 Refund Corner Grocery -20.00", text);
        Assert.DoesNotContain(text, line => line.Contains("Pending Hotel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cycling_the_same_period_again_never_stores_a_second_statement()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        await Ledger.PurchaseAsync(account, 4200, "Book Nook");
        Clock.MoveToNextMonth(day: 2);

        // Two passes at once, as two API replicas would run them, then a third afterwards.
        var concurrent = await Task.WhenAll(fixture.CycleAsync(), fixture.CycleAsync());
        var again = await fixture.CycleAsync();

        Assert.Single(concurrent.SelectMany(r => r.Produced), s => s.AccountId == account);
        Assert.DoesNotContain(again.Produced, s => s.AccountId == account);
        Assert.Single(await fixture.ListAsync(account));
        Assert.Equal(1L, await Ledger.ScalarAsync<long>("select count(*) from core.statements where account_id = $1", account));
    }

    [Fact]
    public async Task A_period_is_not_cycled_before_it_closes()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        await Ledger.PurchaseAsync(account, 1500, "Coffee Cart");
        Clock.MoveToDay(28, hour: 23);

        var result = await fixture.CycleAsync();

        Assert.DoesNotContain(result.Produced, s => s.AccountId == account);
        Assert.Empty(await fixture.ListAsync(account));
    }

    [Fact]
    public async Task The_next_statement_starts_from_the_previous_new_balance()
    {
        var first = Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        var shoes = await Ledger.PurchaseAsync(account, 10000, "Shoe Store");
        var second = Clock.MoveToNextMonth(day: 2);
        await fixture.CycleAsync();
        Clock.MoveToDay(5);
        await Ledger.RefundAsync(account, shoes, 3000);
        await Ledger.PurchaseAsync(account, 300000, "Furniture Hall");
        Clock.MoveToNextMonth(day: 2);

        var result = await fixture.CycleAsync();

        var statement = Assert.Single(result.Produced, s => s.AccountId == account);
        Assert.Equal($"{second:yyyy-MM}", statement.Period);
        Assert.Equal(10000, statement.PreviousBalance);
        Assert.Equal(300000, statement.Purchases);
        Assert.Equal(3000, statement.Refunds);
        Assert.Equal(307000, statement.NewBalance);
        Assert.Equal((await Ledger.BalancesAsync(account)).PostedBalance, statement.NewBalance);
        // 1% of 3,070.00 is 30.70, above the 25.00 floor.
        Assert.Equal(3070, statement.MinimumPayment);
        var list = await fixture.ListAsync(account);
        Assert.Equal([$"{second:yyyy-MM}", $"{first:yyyy-MM}"], list.Select(s => s.Period));
        Assert.Equal(list[1].PeriodEnd, list[0].PeriodStart);
    }

    [Fact]
    public async Task A_period_without_activity_or_balance_produces_no_statement()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        Clock.MoveToNextMonth(day: 2);

        var result = await fixture.CycleAsync();

        Assert.DoesNotContain(result.Produced, s => s.AccountId == account);
        Assert.Empty(await fixture.ListAsync(account));
    }

    [Fact]
    public async Task An_account_with_its_own_cycle_day_closes_on_that_day()
    {
        var opened = Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync(cycleDay: 15);
        await Ledger.PurchaseAsync(account, 2000, "Garden Centre");
        Clock.MoveToDay(14, hour: 23);
        Assert.DoesNotContain((await fixture.CycleAsync()).Produced, s => s.AccountId == account);

        Clock.MoveToDay(16);
        var statement = Assert.Single((await fixture.CycleAsync()).Produced, s => s.AccountId == account);

        // Opened on the 3rd, inside the period that started on the 15th of the month before.
        Assert.Equal($"{opened.AddMonths(-1):yyyy-MM}", statement.Period);
        Assert.Equal(new DateTimeOffset(opened.Year, opened.Month, 15, 0, 0, 0, TimeSpan.Zero), statement.PeriodEnd);
        Assert.Equal(2000, statement.NewBalance);
    }

    [Fact]
    public async Task Each_statement_is_audited_once()
    {
        Clock.MoveToNextMonth(day: 3);
        var account = await Ledger.OpenAccountAsync();
        await Ledger.PurchaseAsync(account, 3300, "Hardware Depot");
        Clock.MoveToNextMonth(day: 2);
        var statement = Assert.Single((await fixture.CycleAsync()).Produced, s => s.AccountId == account);
        await fixture.CycleAsync();

        var details = await Ledger.ScalarAsync<string>("""
            select string_agg(details::text, '|') from audit.events where event_type = 'statement.generated' and resource_type = 'statement' and resource_id = $1
            """, statement.Id.ToString());

        Assert.DoesNotContain('|', details);
        Assert.Contains($"\"accountId\":\"{account}\"", details);
        Assert.Contains("\"newBalance\":3300", details);
    }

    [Fact]
    public async Task The_cycle_worker_produces_the_statement_by_itself_once_the_clock_passes_the_cycle_day()
    {
        var (api, ledger, clock) = await fixture.StartWithWorkerAsync();
        await using var _ = api;
        using var client = await api.CreateOperatorClientAsync();
        clock.MoveToNextMonth(day: 3);
        var account = await ledger.OpenAccountAsync();
        await ledger.PurchaseAsync(account, 7700, "Night Train");

        clock.MoveToNextMonth(day: 2);
        var statements = await Money.Poll.UntilAsync(() => fixture.ListAsync(account, client), s => s.Count > 0);

        Assert.Equal(7700, Assert.Single(statements).NewBalance);
    }
}
