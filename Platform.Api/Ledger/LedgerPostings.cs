using Dapper;
using Npgsql;

namespace Platform.Api.Ledger;

/// <summary>
/// The only code that changes an account's balances: every change is a posting plus the matching update of the
/// account's running sums, in the caller's transaction, so the sums always equal the postings.
/// </summary>
public sealed class LedgerPostings(TimeProvider time)
{
    /// <summary>
    /// <see cref="TryHoldAsync"/> as a common-table expression, for a statement that does more in the same round trip:
    /// the same conditional update and posting, run only when <paramref name="guard"/> holds; <c>hold</c> returns the
    /// available credit after the hold, or no row when the credit is not there. Parameters: <c>@hold_account</c>,
    /// <c>@hold_amount</c>, <c>@hold_currency</c>, <c>@hold_authorization</c>, <c>@hold_description</c>, <c>@now</c>
    /// (see <see cref="Authorizations.AuthorizationStore"/>).
    /// </summary>
    public static string HoldCte(string guard) => $"""
        hold as (
            update core.accounts set held_amount = held_amount + @hold_amount, updated_at = @now
            where account_id = @hold_account and status = 'open' and credit_limit - held_amount - posted_balance >= @hold_amount and {guard}
            returning credit_limit - held_amount - posted_balance as available),
        hold_posting as (
            insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
            select @hold_account, 'hold', 'held', @hold_amount, @hold_currency, @hold_authorization, null, @hold_description, @now from hold)
        """;

    /// <summary>
    /// Reserves credit for an authorization if the account is open and has it available. One conditional row update,
    /// so concurrent holds on one account (from any number of API instances) queue on the row and never overdraw it.
    /// Returns the available credit after the hold, or null when there was not enough (nothing changed then).
    /// </summary>
    public async Task<long?> TryHoldAsync(NpgsqlTransaction transaction, Guid accountId, Guid authorizationId, long amount, string currency, string description, CancellationToken cancellationToken)
    {
        if (await transaction.Connection!.ExecuteScalarAsync<long?>(new CommandDefinition("""
            update core.accounts set held_amount = held_amount + @amount, updated_at = @now
            where account_id = @accountId and status = 'open' and credit_limit - held_amount - posted_balance >= @amount
            returning credit_limit - held_amount - posted_balance
            """, new { accountId, amount, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) is not { } available) return null;
        await InsertAsync(transaction, accountId, "hold", "held", amount, currency, authorizationId, null, description, cancellationToken);
        return available;
    }

    public Task<long> ReleaseHoldAsync(NpgsqlTransaction transaction, Guid accountId, Guid authorizationId, Guid? operationId, long amount, string currency, string description, CancellationToken cancellationToken) =>
        MoveAsync(transaction, accountId, -amount, 0, [("hold_release", "held", -amount)], currency, authorizationId, operationId, description, cancellationToken);

    /// <summary>A capture settled: the amount becomes owed and <paramref name="releasedFromHold"/> of it comes off the hold.</summary>
    public Task<long> PostPurchaseAsync(NpgsqlTransaction transaction, Guid accountId, Guid authorizationId, Guid operationId, long amount, long releasedFromHold,
        string currency, string description, CancellationToken cancellationToken) =>
        MoveAsync(transaction, accountId, -releasedFromHold, amount,
            releasedFromHold > 0 ? [("hold_release", "held", -releasedFromHold), ("purchase", "posted", amount)] : [("purchase", "posted", amount)],
            currency, authorizationId, operationId, description, cancellationToken);

    public Task<long> PostRefundAsync(NpgsqlTransaction transaction, Guid accountId, Guid authorizationId, Guid operationId, long amount, string currency, string description, CancellationToken cancellationToken) =>
        MoveAsync(transaction, accountId, 0, -amount, [("refund", "posted", -amount)], currency, authorizationId, operationId, description, cancellationToken);

    private async Task<long> MoveAsync(NpgsqlTransaction transaction, Guid accountId, long heldDelta, long postedDelta,
        (string EntryType, string Balance, long Amount)[] postings, string currency, Guid authorizationId, Guid? operationId, string description,
        CancellationToken cancellationToken)
    {
        if (heldDelta == 0 && postedDelta == 0) return await AvailableAsync(transaction, accountId, cancellationToken);
        var available = await transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition("""
            update core.accounts set held_amount = held_amount + @heldDelta, posted_balance = posted_balance + @postedDelta, updated_at = @now
            where account_id = @accountId
            returning credit_limit - held_amount - posted_balance
            """, new { accountId, heldDelta, postedDelta, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        foreach (var posting in postings)
            await InsertAsync(transaction, accountId, posting.EntryType, posting.Balance, posting.Amount, currency, authorizationId, operationId, description, cancellationToken);
        return available;
    }

    private static Task<long> AvailableAsync(NpgsqlTransaction transaction, Guid accountId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(
            "select credit_limit - held_amount - posted_balance from core.accounts where account_id = @accountId",
            new { accountId }, transaction, cancellationToken: cancellationToken));

    private async Task InsertAsync(NpgsqlTransaction transaction, Guid accountId, string entryType, string balance, long amount, string currency,
        Guid authorizationId, Guid? operationId, string description, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.ledger_postings (account_id, entry_type, balance_type, amount, currency, authorization_id, operation_id, description, created_at)
            values (@accountId, @entryType, @balance, @amount, @currency, @authorizationId, @operationId, @description, @now)
            """, new { accountId, entryType, balance, amount, currency, authorizationId, operationId, description, now = time.GetUtcNow() }, transaction,
            cancellationToken: cancellationToken));
}
