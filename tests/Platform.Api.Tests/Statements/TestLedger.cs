using Npgsql;

namespace Platform.Api.Tests.Statements;

/// <summary>
/// Writes accounts and money movements straight into the API's database the way LedgerPostings does (a posting and the
/// matching change of the account's running sums in one transaction), stamped by the test clock, so a test can lay out
/// a month of activity without driving the processor.
/// </summary>
public sealed class TestLedger(string connectionString, TimeProvider clock)
{
    public sealed record Purchase(Guid AuthorizationId, Guid CaptureId);

    public async Task<Guid> OpenAccountAsync(string currency = "USD", int? cycleDay = null, string? ownerReference = null)
    {
        var now = clock.GetUtcNow();
        var accountId = Guid.NewGuid();
        await using var connection = await OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, tx, """
            insert into core.accounts (account_id, owner_reference, currency, credit_limit, statement_cycle_day, created_at, updated_at)
            values ($1, $2, $3, 1000000, $4, $5, $5)
            """, accountId, ownerReference, currency, cycleDay is { } day ? (short)day : null, now);
        await ExecuteAsync(connection, tx, """
            insert into core.cards (card_id, account_id, card_type, cardholder_name, status, last4, created_at, updated_at)
            values ($1, $2, 'virtual', 'Test Holder', 'active', '4242', $3, $3)
            """, Guid.NewGuid(), accountId, now);
        await tx.CommitAsync();
        return accountId;
    }

    /// <summary>
    /// Makes <paramref name="email"/> the account holder's confirmed address, the way the running API links accounts to
    /// people: a customer (identity user) who owns the account where Identity is installed, otherwise an owner reference
    /// that is the address itself (the e-mail feature's contact rule before Identity).
    /// </summary>
    public async Task AddConfirmedOwnerAsync(Guid accountId, string email)
    {
        await using var connection = await OpenAsync();
        await using var probe = new NpgsqlCommand("select to_regclass('identity.\"AspNetUsers\"') is not null", connection);
        var owner = email;
        if (await probe.ExecuteScalarAsync() is true)
        {
            owner = Guid.NewGuid().ToString();
            await ExecuteAsync(connection, null, """
                insert into identity."AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                    "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                values ($1, $2, upper($2), $2, upper($2), true, false, false, true, 0)
                """, owner, email);
        }
        await ExecuteAsync(connection, null, "update core.accounts set owner_reference = $2 where account_id = $1", accountId, owner);
    }

    /// <summary>An authorization held and then captured in full: hold, hold release and the posted purchase.</summary>
    public async Task<Purchase> PurchaseAsync(Guid accountId, long amount, string merchant)
    {
        var (authorizationId, currency) = await AuthorizeAsync(accountId, amount, merchant);
        var now = clock.GetUtcNow();
        var captureId = Guid.NewGuid();
        await using var connection = await OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, tx, """
            insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, status, created_at, completed_at)
            values ($1, $2, $3, 'capture', $4, $5, 'succeeded', $6, $6)
            """, captureId, authorizationId, accountId, amount, currency, now);
        await ExecuteAsync(connection, tx, "update core.authorizations set held_amount = 0, captured_amount = $2 where authorization_id = $1", authorizationId, amount);
        await MoveAsync(connection, tx, accountId, -amount, amount, currency, now, authorizationId, captureId,
            ("hold_release", "held", -amount), ("purchase", "posted", amount));
        await tx.CommitAsync();
        return new Purchase(authorizationId, captureId);
    }

    public async Task RefundAsync(Guid accountId, Purchase purchase, long amount)
    {
        var now = clock.GetUtcNow();
        var refundId = Guid.NewGuid();
        await using var connection = await OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var currency = await CurrencyAsync(connection, tx, accountId);
        await ExecuteAsync(connection, tx, """
            insert into core.card_operations (operation_id, authorization_id, account_id, kind, amount, currency, refunded_operation_id, status, created_at, completed_at)
            values ($1, $2, $3, 'refund', $4, $5, $6, 'succeeded', $7, $7)
            """, refundId, purchase.AuthorizationId, accountId, amount, currency, purchase.CaptureId, now);
        await MoveAsync(connection, tx, accountId, 0, -amount, currency, now, purchase.AuthorizationId, refundId, ("refund", "posted", -amount));
        await tx.CommitAsync();
    }

    /// <summary>An approved authorization still holding credit: reserved, not owed.</summary>
    public async Task<Guid> HoldAsync(Guid accountId, long amount, string merchant) => (await AuthorizeAsync(accountId, amount, merchant)).AuthorizationId;

    public async Task<(long PostedBalance, long SumOfPostedPostings)> BalancesAsync(Guid accountId)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("""
            select a.posted_balance, coalesce((select sum(amount) from core.ledger_postings p where p.account_id = a.account_id and p.balance_type = 'posted'), 0)::bigint
            from core.accounts a where a.account_id = $1
            """, connection) { Parameters = { new() { Value = accountId } } };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<T> ScalarAsync<T>(string sql, params object?[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<(Guid AuthorizationId, string Currency)> AuthorizeAsync(Guid accountId, long amount, string merchant)
    {
        var now = clock.GetUtcNow();
        var authorizationId = Guid.NewGuid();
        await using var connection = await OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var currency = await CurrencyAsync(connection, tx, accountId);
        await ExecuteAsync(connection, tx, """
            insert into core.authorizations (authorization_id, account_id, card_id, amount, currency, merchant_name, merchant_mcc, merchant_country, status,
                approved_amount, held_amount, idempotency_key, created_at, decided_at, expires_at)
            select $1, $2, card_id, $3, $4, $5, '5411', 'US', 'approved', $3, $3, $1::text, $6, $6, $6 + interval '7 days'
            from core.cards where account_id = $2
            """, authorizationId, accountId, amount, currency, merchant, now);
        await MoveAsync(connection, tx, accountId, amount, 0, currency, now, authorizationId, null, ("hold", "held", amount));
        await tx.CommitAsync();
        return (authorizationId, currency);
    }

    private static async Task MoveAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid accountId, long heldDelta, long postedDelta, string currency,
        DateTimeOffset now, Guid authorizationId, Guid? operationId, params (string EntryType, string Balance, long Amount)[] postings)
    {
        await ExecuteAsync(connection, tx, """
            update core.accounts set held_amount = held_amount + $2, posted_balance = posted_balance + $3, updated_at = $4 where account_id = $1
            """, accountId, heldDelta, postedDelta, now);
        foreach (var posting in postings)
        {
            await ExecuteAsync(connection, tx, """
                insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, accountId, posting.EntryType, posting.Balance, posting.Amount, currency, authorizationId, operationId,
                posting.EntryType == "refund" ? "Refund posted" : posting.EntryType == "purchase" ? "Purchase posted" : "Hold", now);
        }
    }

    private static async Task<string> CurrencyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid accountId)
    {
        await using var command = new NpgsqlCommand("select currency from core.accounts where account_id = $1", connection, tx)
        {
            Parameters = { new() { Value = accountId } },
        };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }
}
