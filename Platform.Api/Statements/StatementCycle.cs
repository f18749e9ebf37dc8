using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Email;

namespace Platform.Api.Statements;

/// <summary>
/// One cycle pass: for every account whose statement period has closed by the clock, stores the statement (totals and
/// PDF), requests its e-mail and audits it, all in one transaction per statement. A missed month is caught up period by
/// period, since each statement's previous balance is the one before it. Any number of passes, on any number of API
/// instances, store at most one statement per (account, period): instances take turns per account with an advisory lock,
/// and the unique key backs that up.
/// </summary>
public sealed partial class StatementCycle(
    NpgsqlDataSource dataSource, StatementPdfRenderer renderer, IEmailOutbox emailOutbox, IAccountContacts contacts, IAuditTrail audit,
    IOptions<StatementOptions> options, TimeProvider time, ILogger<StatementCycle> logger)
{
    private const int BatchSize = 200;
    // First key of the two-int advisory lock space ("ST"); the second is a hash of the account id. A hash collision
    // only makes an account wait for the next pass.
    private const int AccountLockClass = 0x5354;
    // A period is at least 28 days long, so an account whose last statement ended later than this before the
    // closing cut-off cannot be due yet; the candidate query skips it without computing its periods.
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromDays(28);

    public async Task<StatementCycleResult> RunAsync(AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var closedBy = asOf - TimeSpan.FromMinutes(options.Value.CloseAfterMinutes);
        var produced = new List<StatementResponse>();
        var failed = new List<Guid>();
        Guid? after = null;
        while (true)
        {
            var batch = await FindCandidatesAsync(after, closedBy, cancellationToken);
            foreach (var accountId in batch)
            {
                try
                {
                    while (await TryProduceNextAsync(accountId, closedBy, actor, origin, cancellationToken) is { } statement)
                        produced.Add(statement);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One account that cannot be cycled (a posting type statements cannot show, a lost connection)
                    // must not hold back every other account's statement.
                    LogAccountFailed(logger, accountId, ex);
                    failed.Add(accountId);
                }
            }
            if (batch.Count < BatchSize) break;
            after = batch[^1];
        }
        if (produced.Count > 0 || failed.Count > 0) LogPass(logger, asOf, produced.Count, failed.Count);
        return new StatementCycleResult(asOf, produced, failed);
    }

    private async Task<List<Guid>> FindCandidatesAsync(Guid? after, DateTimeOffset closedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<Guid>(new CommandDefinition("""
            select a.account_id from core.accounts a
            where (@after::uuid is null or a.account_id > @after) and a.created_at < @closedBy
              and not exists (select 1 from core.statements s where s.account_id = a.account_id and s.period_end > @lastEndBefore)
            order by a.account_id
            limit @batchSize
            """, new { after, closedBy, lastEndBefore = closedBy - ShortestPeriod, batchSize = BatchSize }, cancellationToken: cancellationToken))];
    }

    /// <summary>Stores the account's next closed statement, or returns null when none is due (or another instance is on it).</summary>
    private async Task<StatementResponse?> TryProduceNextAsync(Guid accountId, DateTimeOffset closedBy, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_try_advisory_xact_lock(@lockClass, hashtext(@accountKey))",
                new { lockClass = AccountLockClass, accountKey = accountId.ToString() }, tx, cancellationToken: cancellationToken)))
            return null;

        var account = await connection.QuerySingleOrDefaultAsync<CycledAccount>(new CommandDefinition(
            "select currency, created_at, coalesce(statement_cycle_day, @defaultCycleDay)::int as cycle_day from core.accounts where account_id = @accountId",
            new { accountId, defaultCycleDay = options.Value.CycleDay }, tx, cancellationToken: cancellationToken));
        if (account is null) return null;
        var (currency, openedAt, cycleDay) = account;

        var (previousEnd, previousBalance) = await ReadLastStatementAsync(connection, tx, accountId, cancellationToken);
        // Each statement starts where the previous one ended, so a changed cycle day never leaves a gap or an overlap.
        var period = previousEnd is { } end ? StatementPeriod.FirstStartingAtOrAfter(end, cycleDay) : StatementPeriod.Containing(openedAt, cycleDay);
        var windowStart = previousEnd ?? period.StartsAt(cycleDay);

        while (true)
        {
            var windowEnd = period.EndsAt(cycleDay);
            if (windowEnd > closedBy) return null;
            var lines = await ReadLinesAsync(connection, tx, accountId, windowStart, windowEnd, cancellationToken);
            // Like Reg Z 1026.5(b)(2): no statement for a period with no activity and nothing owed either way. Its window
            // joins the next period's, which is empty too as far as that stretch goes.
            if (lines.Count == 0 && previousBalance == 0)
            {
                period = period.Next;
                continue;
            }
            return await StoreAsync(tx, accountId, currency, period, windowStart, windowEnd, previousBalance, lines, actor, origin, cancellationToken);
        }
    }

    private async Task<StatementResponse?> StoreAsync(NpgsqlTransaction tx, Guid accountId, string currency, StatementPeriod period,
        DateTimeOffset windowStart, DateTimeOffset windowEnd, long previousBalance, IReadOnlyList<StatementLine> lines, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        var connection = tx.Connection!;
        var now = time.GetUtcNow();
        var totals = StatementCalculator.Compute(previousBalance, lines, windowEnd, options.Value);
        var contact = await contacts.FindAsync(accountId, cancellationToken);
        var pdf = renderer.Render(new StatementDocument(accountId, contact?.DisplayName, period, windowStart, windowEnd, currency, totals, lines, now));
        var statementId = Guid.CreateVersion7(now);

        if (await connection.ExecuteAsync(new CommandDefinition("""
            insert into core.statements (statement_id, account_id, period, period_start, period_end, currency, previous_balance, payments, purchases,
                refunds, fees, interest, new_balance, minimum_payment, due_date, transaction_count, pdf, created_at)
            values (@statementId, @accountId, @period, @windowStart, @windowEnd, @currency, @previousBalance, @payments, @purchases,
                @refunds, @fees, @interest, @newBalance, @minimumPayment, @dueDate, @transactionCount, @pdf, @now)
            on conflict (account_id, period) do nothing
            """, new
            {
                statementId, accountId, period = period.Name, windowStart, windowEnd, currency, previousBalance = totals.PreviousBalance,
                payments = totals.Payments, purchases = totals.Purchases, refunds = totals.Refunds, fees = totals.Fees, interest = totals.Interest,
                newBalance = totals.NewBalance, minimumPayment = totals.MinimumPayment, dueDate = totals.DueDate, transactionCount = lines.Count, pdf, now,
            }, tx, cancellationToken: cancellationToken)) == 0)
            return null;

        Guid? emailId = null;
        if (contact is null)
        {
            LogNoContact(logger, accountId, period.Name);
        }
        else
        {
            emailId = await emailOutbox.EnqueueAsync(tx, new EmailMessage(
                EmailTemplates.StatementReady,
                new StatementReadyEmailModel(contact.DisplayName, period.Name, totals.NewBalance, totals.MinimumPayment, currency, totals.DueDate),
                [contact.Email],
                [new EmailAttachment($"statement-{period.Name}.pdf", "application/pdf", pdf)],
                DeduplicationKey: $"statement:{accountId}:{period.Name}"), cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("update core.statements set email_id = @emailId where statement_id = @statementId",
                new { statementId, emailId }, tx, cancellationToken: cancellationToken));
        }

        // Last, so the audit chain's global lock is held only for the commit.
        await audit.AppendAsync(FinancialAudit.Entry("statement.generated", actor, origin, "statement", statementId, new Dictionary<string, object?>
        {
            ["accountId"] = accountId, ["period"] = period.Name, ["periodStart"] = windowStart, ["periodEnd"] = windowEnd, ["currency"] = currency,
            ["previousBalance"] = totals.PreviousBalance, ["newBalance"] = totals.NewBalance, ["minimumPayment"] = totals.MinimumPayment,
            ["dueDate"] = totals.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["transactionCount"] = lines.Count,
            ["emailId"] = emailId, ["pdfSha256"] = Convert.ToHexStringLower(SHA256.HashData(pdf)),
        }), tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogGenerated(logger, accountId, period.Name, totals.NewBalance, currency, lines.Count);

        return new StatementResponse(statementId, accountId, period.Name, windowStart, windowEnd, StatementCalculator.ClosingDate(windowEnd), currency,
            totals.PreviousBalance, totals.Payments, totals.Purchases, totals.Refunds, totals.Fees, totals.Interest, totals.NewBalance, totals.MinimumPayment,
            totals.DueDate, lines.Count, emailId is not null, PostgresTime.Truncate(now), StatementStore.PdfUrl(accountId, period.Name));
    }

    private static async Task<(DateTimeOffset? End, long NewBalance)> ReadLastStatementAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid accountId,
        CancellationToken cancellationToken)
    {
        var last = await connection.QuerySingleOrDefaultAsync<LastStatement>(new CommandDefinition(
            "select period_end, new_balance from core.statements where account_id = @accountId order by period_end desc limit 1",
            new { accountId }, tx, cancellationToken: cancellationToken));
        return last is null ? (null, 0) : (last.PeriodEnd, last.NewBalance);
    }

    private static async Task<List<StatementLine>> ReadLinesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid accountId,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // Posted postings only: holds are reservations, not money owed, and never appear on a statement.
        var rows = await connection.QueryAsync<LineRow>(new CommandDefinition("""
            select p.posting_id, p.created_at, p.entry_type, coalesce(a.merchant_name, p.description) as description, p.amount
            from core.ledger_postings p
            left join core.authorizations a on a.authorization_id = p.authorization_id
            where p.account_id = @accountId and p.balance_type = 'posted' and p.created_at >= @from and p.created_at < @to
            order by p.created_at, p.posting_id
            """, new { accountId, from, to }, tx, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new StatementLine(r.PostingId, r.CreatedAt, r.EntryType, r.Description, r.Amount))];
    }

    private sealed record CycledAccount(string Currency, DateTimeOffset CreatedAt, int CycleDay);

    private sealed record LastStatement(DateTimeOffset PeriodEnd, long NewBalance);

    private sealed record LineRow(long PostingId, DateTimeOffset CreatedAt, string EntryType, string Description, long Amount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Statement {Period} for account {AccountId} stored: new balance {NewBalance} {Currency}, {TransactionCount} transactions")]
    private static partial void LogGenerated(ILogger logger, Guid accountId, string period, long newBalance, string currency, int transactionCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Statement {Period} for account {AccountId} stored without an e-mail: the account has no contact")]
    private static partial void LogNoContact(ILogger logger, Guid accountId, string period);

    [LoggerMessage(Level = LogLevel.Error, Message = "Statement cycle for account {AccountId} failed; it is retried at the next pass")]
    private static partial void LogAccountFailed(ILogger logger, Guid accountId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Statement cycle as of {AsOf}: {Produced} statements stored, {Failed} accounts failed")]
    private static partial void LogPass(ILogger logger, DateTimeOffset asOf, int produced, int failed);
}
