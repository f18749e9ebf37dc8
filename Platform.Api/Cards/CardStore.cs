using Dapper;
using Npgsql;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Cards;

/// <summary>What the processor needs to issue a requested card, and whether it still is one.</summary>
internal sealed record CardToIssue(string CardType, string CardholderName, string Status);

/// <summary>The <c>core.cards</c> table.</summary>
public sealed class CardStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>The account's status, share-locked until the caller's transaction ends so it cannot close meanwhile; null when it does not exist.</summary>
    public Task<string?> LockAccountStatusAsync(NpgsqlTransaction transaction, Guid accountId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select status from core.accounts where account_id = @accountId for share", new { accountId }, transaction, cancellationToken: cancellationToken));

    public async Task InsertRequestedAsync(NpgsqlTransaction transaction, Guid cardId, Guid accountId, string type, string cardholderName, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            insert into core.cards (card_id, account_id, card_type, cardholder_name, status, created_at, updated_at)
            values (@cardId, @accountId, @type, @cardholderName, 'requested', @now, @now)
            """, new { cardId, accountId, type, cardholderName, now }, transaction, cancellationToken: cancellationToken));

    public async Task<CardResponse?> GetAsync(Guid cardId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CardRow>(new CommandDefinition("""
            select card_id, account_id, card_type, status, cardholder_name, last4, expiry_month, expiry_year, created_at, updated_at
            from core.cards where card_id = @cardId
            """, new { cardId }, cancellationToken: cancellationToken));
        return row is null ? null : new CardResponse(row.CardId, row.AccountId, row.CardType, row.Status, row.CardholderName, row.Last4,
            row.ExpiryMonth, row.ExpiryYear, row.CreatedAt, row.UpdatedAt);
    }

    internal async Task<CardToIssue?> FindToIssueAsync(Guid cardId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CardToIssue>(new CommandDefinition(
            "select card_type, cardholder_name, status from core.cards where card_id = @cardId", new { cardId }, cancellationToken: cancellationToken));
    }

    /// <returns>Whether the card was still requested (a replayed answer changes nothing).</returns>
    internal async Task<bool> MarkIssuedAsync(NpgsqlTransaction transaction, Guid cardId, ProcessorIssuedCard card, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            update core.cards set processor_card_token = @cardToken, last4 = @last4, expiry_month = @expiryMonth, expiry_year = @expiryYear, status = @status, updated_at = @now
            where card_id = @cardId and status = 'requested'
            """, new
            {
                cardId, cardToken = card.CardToken, last4 = card.Last4, expiryMonth = card.ExpiryMonth, expiryYear = card.ExpiryYear,
                status = CardStatuses.FromProcessor(card.Status), now = time.GetUtcNow(),
            }, transaction, cancellationToken: cancellationToken)) == 1;

    /// <returns>Whether the card was still requested.</returns>
    internal async Task<bool> MarkFailedAsync(NpgsqlTransaction transaction, Guid cardId, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "update core.cards set status = 'failed', updated_at = @now where card_id = @cardId and status = 'requested'",
            new { cardId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1;

    private sealed record CardRow(Guid CardId, Guid AccountId, string CardType, string Status, string CardholderName, string? Last4,
        int? ExpiryMonth, int? ExpiryYear, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
}
