using Dapper;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;

namespace Platform.Api.Accounts;

/// <summary>Accounts and the ledger reads. Balances change only through <see cref="Ledger.LedgerPostings"/>.</summary>
public sealed class AccountStore(NpgsqlDataSource dataSource, IAuditTrail audit, TimeProvider time)
{
    /// <summary>Opens an account inside the caller's transaction (an approved application, or the direct stand-in).</summary>
    public async Task<AccountResponse> OpenAsync(NpgsqlTransaction transaction, string currency, long creditLimit, string? ownerReference, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.accounts (account_id, owner_reference, currency, credit_limit, created_at, updated_at)
            values (@id, @ownerReference, @currency, @creditLimit, @now, @now)
            """, new { id, ownerReference, currency, creditLimit, now }, transaction, cancellationToken: cancellationToken));
        return new AccountResponse(id, "open", currency, creditLimit, creditLimit, 0, 0, ownerReference, PostgresTime.Truncate(now));
    }

    /// <summary>An operator's direct opening: the account and its audit event commit together.</summary>
    public async Task<AccountResponse> OpenDirectAsync(string currency, long creditLimit, string? ownerReference, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var account = await OpenAsync(transaction, currency, creditLimit, ownerReference, cancellationToken);
        await audit.AppendAsync(FinancialAudit.Entry("account.opened", actor, origin, "account", account.Id,
            new Dictionary<string, object?> { ["creditLimit"] = account.CreditLimit, ["currency"] = account.Currency, ["via"] = "direct" }), transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return account;
    }

    public async Task<AccountResponse?> GetAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition("""
            select account_id, status, currency, credit_limit, held_amount, posted_balance, owner_reference, created_at
            from core.accounts where account_id = @accountId
            """, new { accountId }, cancellationToken: cancellationToken));
        return row is null ? null : new AccountResponse(row.AccountId, row.Status, row.Currency, row.CreditLimit,
            row.CreditLimit - row.HeldAmount - row.PostedBalance, row.HeldAmount, row.PostedBalance, row.OwnerReference, row.CreatedAt);
    }

    public async Task<LedgerPage> ListPostingsAsync(Guid accountId, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PostingRow>(new CommandDefinition("""
            select posting_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at
            from core.ledger_postings
            where account_id = @accountId and (@before::bigint is null or posting_id < @before)
            order by posting_id desc
            limit @fetch
            """, new { accountId, before, fetch = limit + 1 }, cancellationToken: cancellationToken));
        var items = rows.Select(r => new LedgerEntryResponse(r.PostingId, r.EntryType, r.BalanceType, r.Amount, r.Currency, r.AuthorizationId,
            r.OperationId, r.Description, r.CreatedAt)).ToList();
        var hasMore = items.Count > limit;
        if (hasMore) items.RemoveAt(items.Count - 1);
        return new LedgerPage(items, hasMore ? items[^1].Id : null);
    }

    private sealed record AccountRow(Guid AccountId, string Status, string Currency, long CreditLimit, long HeldAmount, long PostedBalance,
        string? OwnerReference, DateTimeOffset CreatedAt);

    private sealed record PostingRow(long PostingId, string EntryType, string BalanceType, long Amount, string Currency, Guid? AuthorizationId,
        Guid? OperationId, string Description, DateTimeOffset CreatedAt);
}
