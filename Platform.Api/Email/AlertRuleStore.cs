using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Data;

namespace Platform.Api.Email;

/// <summary>What the alert check needs about a card's account: its card's last four and the rules in force.</summary>
internal sealed record CardAlertRules(string? CardLast4, long LargePurchaseThreshold, bool FraudDeclineAlerts);

/// <summary>The <c>core.alert_rules</c> table, with the configured defaults filling in for accounts without a row.</summary>
internal sealed class AlertRuleStore(NpgsqlDataSource dataSource, IOptions<EmailOptions> options, TimeProvider time)
{
    /// <summary>One indexed read inside the authorization's transaction: it sits on the authorize hot path.</summary>
    /// <summary>The rules for settings read with the card, the configured defaults filling in.</summary>
    public CardAlertRules From(Platform.Api.Authorizations.CardAlertSettings settings) => new(settings.CardLast4,
        settings.LargePurchaseThreshold ?? options.Value.Alerts.LargePurchaseThresholdMinor, settings.FraudDeclineAlerts ?? options.Value.Alerts.FraudDeclineAlerts);

    public async Task<CardAlertRules?> ForCardAsync(NpgsqlTransaction transaction, Guid cardId, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(transaction.Connection!, transaction, """
            select c.last4, r.large_purchase_threshold, r.fraud_decline_alerts
            from core.cards c left join core.alert_rules r on r.account_id = c.account_id
            where c.card_id = $1
            """, cardId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var defaults = options.Value.Alerts;
        return new CardAlertRules(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? defaults.LargePurchaseThresholdMinor : reader.GetInt64(1),
            reader.IsDBNull(2) ? defaults.FraudDeclineAlerts : reader.GetBoolean(2));
    }

    /// <returns>Null when the account does not exist.</returns>
    public async Task<AlertRulesResponse?> GetAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null, """
            select a.currency, r.large_purchase_threshold, r.fraud_decline_alerts, r.updated_at
            from core.accounts a left join core.alert_rules r on r.account_id = a.account_id
            where a.account_id = $1
            """, accountId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var defaults = options.Value.Alerts;
        return reader.IsDBNull(1)
            ? new AlertRulesResponse(accountId, defaults.LargePurchaseThresholdMinor, reader.GetString(0), defaults.FraudDeclineAlerts, "default", null)
            : new AlertRulesResponse(accountId, reader.GetInt64(1), reader.GetString(0), reader.GetBoolean(2), "account", reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <returns>False when the account does not exist.</returns>
    public async Task<bool> PutAsync(NpgsqlTransaction transaction, Guid accountId, long largePurchaseThreshold, bool fraudDeclineAlerts, CancellationToken cancellationToken)
    {
        var written = await Sql.ExecuteAsync(transaction.Connection!, transaction, """
            insert into core.alert_rules (account_id, large_purchase_threshold, fraud_decline_alerts, updated_at)
            select account_id, $2, $3, $4 from core.accounts where account_id = $1
            on conflict (account_id) do update set large_purchase_threshold = excluded.large_purchase_threshold,
                fraud_decline_alerts = excluded.fraud_decline_alerts, updated_at = excluded.updated_at
            """, cancellationToken, accountId, largePurchaseThreshold, fraudDeclineAlerts, time.GetUtcNow());
        return written == 1;
    }

    /// <returns>Whether the account had rules of its own.</returns>
    public async Task<bool> DeleteAsync(NpgsqlTransaction transaction, Guid accountId, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(transaction.Connection!, transaction, "delete from core.alert_rules where account_id = $1", cancellationToken, accountId) == 1;
}
