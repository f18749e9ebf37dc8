using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;

namespace Platform.Api.Email;

/// <summary>What the alert check needs about a card's account: its card's last four and the rules in force.</summary>
internal sealed record CardAlertRules(string? CardLast4, long LargePurchaseThreshold, bool FraudDeclineAlerts);

/// <summary>The <c>core.alert_rules</c> table, with the configured defaults filling in for accounts without a row.</summary>
internal sealed class AlertRuleStore(NpgsqlDataSource dataSource, IAuditTrail audit, IOptions<EmailOptions> options, TimeProvider time)
{
    /// <summary>The rules for settings read with the card, the configured defaults filling in.</summary>
    public CardAlertRules From(Platform.Api.Authorizations.CardAlertSettings settings) => new(settings.CardLast4,
        settings.LargePurchaseThreshold ?? options.Value.Alerts.LargePurchaseThresholdMinor, settings.FraudDeclineAlerts ?? options.Value.Alerts.FraudDeclineAlerts);

    /// <summary>One indexed read inside the authorization's transaction: it sits on the authorize hot path.</summary>
    public async Task<CardAlertRules?> ForCardAsync(NpgsqlTransaction transaction, Guid cardId, CancellationToken cancellationToken)
    {
        var row = await transaction.Connection!.QuerySingleOrDefaultAsync<CardRulesRow>(new CommandDefinition("""
            select c.last4, r.large_purchase_threshold, r.fraud_decline_alerts
            from core.cards c left join core.alert_rules r on r.account_id = c.account_id
            where c.card_id = @cardId
            """, new { cardId }, transaction, cancellationToken: cancellationToken));
        if (row is null) return null;
        var defaults = options.Value.Alerts;
        return new CardAlertRules(row.Last4, row.LargePurchaseThreshold ?? defaults.LargePurchaseThresholdMinor, row.FraudDeclineAlerts ?? defaults.FraudDeclineAlerts);
    }

    /// <returns>Null when the account does not exist.</returns>
    public async Task<AlertRulesResponse?> GetAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRulesRow>(new CommandDefinition("""
            select a.currency, r.large_purchase_threshold, r.fraud_decline_alerts, r.updated_at
            from core.accounts a left join core.alert_rules r on r.account_id = a.account_id
            where a.account_id = @accountId
            """, new { accountId }, cancellationToken: cancellationToken));
        if (row is null) return null;
        var defaults = options.Value.Alerts;
        return row.LargePurchaseThreshold is not { } threshold
            ? new AlertRulesResponse(accountId, defaults.LargePurchaseThresholdMinor, row.Currency, defaults.FraudDeclineAlerts, "default", null)
            : new AlertRulesResponse(accountId, threshold, row.Currency, row.FraudDeclineAlerts!.Value, "account", row.UpdatedAt);
    }

    /// <summary>Sets the account's own rules; the change and its audit event commit together.</summary>
    /// <returns>False when the account does not exist (nothing changes).</returns>
    public async Task<bool> SetAsync(Guid accountId, long largePurchaseThreshold, bool fraudDeclineAlerts, AuditActor actor, AuditOrigin? origin,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var written = await connection.ExecuteAsync(new CommandDefinition("""
            insert into core.alert_rules (account_id, large_purchase_threshold, fraud_decline_alerts, updated_at)
            select account_id, @largePurchaseThreshold, @fraudDeclineAlerts, @now from core.accounts where account_id = @accountId
            on conflict (account_id) do update set large_purchase_threshold = excluded.large_purchase_threshold,
                fraud_decline_alerts = excluded.fraud_decline_alerts, updated_at = excluded.updated_at
            """, new { accountId, largePurchaseThreshold, fraudDeclineAlerts, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        if (written != 1) return false;
        await audit.AppendAsync(FinancialAudit.Entry("alert_rules.updated", actor, origin, "account", accountId,
            new Dictionary<string, object?> { ["largePurchaseThreshold"] = largePurchaseThreshold, ["fraudDeclineAlerts"] = fraudDeclineAlerts }),
            transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Back to the configured defaults; audited only when the account had rules of its own.</summary>
    public async Task ResetAsync(Guid accountId, AuditActor actor, AuditOrigin? origin, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(
                "delete from core.alert_rules where account_id = @accountId", new { accountId }, transaction, cancellationToken: cancellationToken)) == 1)
        {
            await audit.AppendAsync(FinancialAudit.Entry("alert_rules.reset", actor, origin, "account", accountId, new Dictionary<string, object?>()),
                transaction, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record CardRulesRow(string? Last4, long? LargePurchaseThreshold, bool? FraudDeclineAlerts);

    private sealed record AccountRulesRow(string Currency, long? LargePurchaseThreshold, bool? FraudDeclineAlerts, DateTimeOffset? UpdatedAt);
}
