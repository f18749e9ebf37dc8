using Npgsql;
using Platform.Api.Data;

namespace Platform.Api.Accounts;

/// <summary>Accounts and the ledger reads. Balances change only through <see cref="Ledger.LedgerPostings"/>.</summary>
public sealed class AccountStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Opens an account inside the caller's transaction (an approved application, or the direct stand-in).</summary>
    public async Task<AccountResponse> OpenAsync(NpgsqlTransaction transaction, string currency, long creditLimit, string? ownerReference, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await Sql.ExecuteAsync(transaction.Connection!, transaction, """
            insert into core.accounts (account_id, owner_reference, currency, credit_limit, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $5)
            """, cancellationToken, id, ownerReference, currency, creditLimit, now);
        return new AccountResponse(id, "open", currency, creditLimit, creditLimit, 0, 0, ownerReference, PostgresTime.Truncate(now));
    }

    public async Task<AccountResponse?> GetAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select account_id, status, currency, credit_limit, held_amount, posted_balance, owner_reference, created_at
            from core.accounts where account_id = $1
            """, accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var limit = reader.GetInt64(3);
        var held = reader.GetInt64(4);
        var posted = reader.GetInt64(5);
        return new AccountResponse(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), limit, limit - held - posted, held, posted,
            reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));
    }

    public async Task<LedgerPage> ListPostingsAsync(Guid accountId, long? before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select posting_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at
            from core.ledger_postings
            where account_id = $1 and ($2::bigint is null or posting_id < $2)
            order by posting_id desc
            limit $3
            """, accountId, before, limit + 1);
        var items = new List<LedgerEntryResponse>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new LedgerEntryResponse(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.GetString(7),
                reader.GetFieldValue<DateTimeOffset>(8)));
        }
        var hasMore = items.Count > limit;
        if (hasMore) items.RemoveAt(items.Count - 1);
        return new LedgerPage(items, hasMore ? items[^1].Id : null);
    }
}
