using Dapper;
using Npgsql;

namespace Platform.Api.Statements;

/// <summary>Reads of stored statements for the API.</summary>
public sealed class StatementStore(NpgsqlDataSource dataSource)
{
    public async Task<bool> AccountExistsAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select 1 from core.accounts where account_id = @accountId", new { accountId }, cancellationToken: cancellationToken)) is not null;
    }

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<StatementResponse>> ListAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StatementRow>(new CommandDefinition("""
            select statement_id, account_id, period, period_start, period_end, currency, previous_balance, payments, purchases, refunds,
                   fees, interest, new_balance, minimum_payment, due_date, transaction_count, email_id is not null as email_queued, created_at
            from core.statements where account_id = @accountId order by period_end desc
            """, new { accountId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToResponse())];
    }

    public async Task<byte[]?> GetPdfAsync(Guid accountId, StatementPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            "select pdf from core.statements where account_id = @accountId and period = @period", new { accountId, period = period.Name },
            cancellationToken: cancellationToken));
    }

    public static string PdfUrl(Guid accountId, string period) => $"/v1/accounts/{accountId}/statements/{period}";

    private sealed record StatementRow(
        Guid StatementId, Guid AccountId, string Period, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string Currency, long PreviousBalance,
        long Payments, long Purchases, long Refunds, long Fees, long Interest, long NewBalance, long MinimumPayment, DateOnly DueDate,
        int TransactionCount, bool EmailQueued, DateTimeOffset CreatedAt)
    {
        public StatementResponse ToResponse() => new(StatementId, AccountId, Period, PeriodStart, PeriodEnd, StatementCalculator.ClosingDate(PeriodEnd),
            Currency, PreviousBalance, Payments, Purchases, Refunds, Fees, Interest, NewBalance, MinimumPayment, DueDate, TransactionCount, EmailQueued,
            CreatedAt, PdfUrl(AccountId, Period));
    }
}
