using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Platform.Api.Audit;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;
using Platform.Api.Ledger;
using Platform.Api.Outbox;

namespace Platform.Api.Authorizations;

/// <summary>
/// Releases credit nobody will use: approved holds past their expiry (voided at the processor when nothing was
/// captured), and authorizations left pending by an instance that stopped mid-flight (declined, with a reversal in
/// case the processor approved them). Rows are taken with SKIP LOCKED, so instances share the work without overlap.
/// </summary>
internal sealed partial class HoldSweeper(
    NpgsqlDataSource dataSource, LedgerPostings ledger, OutboxStore outbox, Reversals reversals, IAuditTrail audit, IOptions<AuthorizationOptions> options,
    TimeProvider time, ILogger<HoldSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs), time);
        await new WorkerLoop(logger, "Hold sweep", time).RunAsync(
            token => BackgroundTelemetry.UntracedAsync(async () =>
            {
                while (await ExpireHoldsAsync(token) > 0) { }
                while (await DeclineAbandonedAsync(token) > 0) { }
            }),
            async token => await timer.WaitForNextTickAsync(token),
            stoppingToken);
    }

    public async Task<int> ExpireHoldsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var due = new List<(Guid Id, Guid AccountId, long Held, long Captured, string Currency, bool CaptureInFlight)>();
        await using (var command = Sql.Command(connection, tx, """
            select a.authorization_id, a.account_id, a.held_amount, a.captured_amount, a.currency,
                exists (select 1 from core.card_operations o where o.authorization_id = a.authorization_id and o.status in ('requested', 'submitted'))
            from core.authorizations a
            where a.held_amount > 0 and a.status = 'approved' and a.expires_at <= $1
            order by a.expires_at limit 50
            for update of a skip locked
            """, now))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                due.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4), reader.GetBoolean(5)));
        }
        var expired = 0;
        // Audited once all the rows are changed: the audit chain's lock is global, and taking a row lock while holding it
        // deadlocks with an authorization that holds that account's row and waits for the chain.
        var entries = new List<AuditEntry>();
        foreach (var hold in due)
        {
            // A capture or void on its way settles the hold itself; expiring under it would release credit twice.
            if (hold.CaptureInFlight) continue;
            var nothingCaptured = hold.Captured == 0;
            await Sql.ExecuteAsync(connection, tx, "update core.authorizations set held_amount = 0, status = $2 where authorization_id = $1",
                cancellationToken, hold.Id, nothingCaptured ? "expired" : "approved");
            await ledger.ReleaseHoldAsync(tx, hold.AccountId, hold.Id, null, hold.Held, hold.Currency, "Hold expired", cancellationToken);
            Guid? reversalId = null;
            if (nothingCaptured)
            {
                // The processor still holds the approval: void it there, until it confirms (Reversals).
                await reversals.StartAsync(tx, hold.Id, hold.AccountId, hold.Held, hold.Currency, cancellationToken);
                reversalId = Reversals.AttemptId(hold.Id, 1);
            }
            entries.Add(FinancialAudit.Entry("authorization.expired", FinancialAudit.Worker, null, "authorization", hold.Id,
                new Dictionary<string, object?> { ["released"] = hold.Held, ["currency"] = hold.Currency, ["reversalOperationId"] = reversalId }));
            expired++;
        }
        foreach (var entry in entries) await audit.AppendAsync(entry, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (expired > 0) outbox.Wake();
        return expired;
    }

    public async Task<int> DeclineAbandonedAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().AddSeconds(-options.Value.AbandonedAfterSeconds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var abandoned = new List<(Guid Id, Guid AccountId, long Held, string Currency, ProcessorAuthorizeRequest Request, string IdempotencyScope, string IdempotencyKey, long Amount, Guid CardId)>();
        await using (var command = Sql.Command(connection, tx, """
            select a.authorization_id, a.account_id, a.held_amount, a.currency, c.processor_card_token, a.amount, a.merchant_name, a.merchant_mcc, a.merchant_country, a.idempotency_key, a.card_id, a.idempotency_scope
            from core.authorizations a join core.cards c on c.card_id = a.card_id
            where a.status = 'pending' and a.created_at <= $1
            order by a.created_at limit 50
            for update of a skip locked
            """, cutoff))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var request = new ProcessorAuthorizeRequest(reader.GetString(4), reader.GetInt64(5), reader.GetString(3),
                    new ProcessorMerchant(reader.GetString(6), reader.GetString(7), reader.GetString(8)));
                abandoned.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3), request, reader.GetString(11), reader.GetString(9), reader.GetInt64(5), reader.GetGuid(10)));
            }
        }
        var reason = DeclineReason.ProcessorUnavailable;
        var entries = new List<AuditEntry>();
        foreach (var auth in abandoned)
        {
            await Sql.ExecuteAsync(connection, tx, """
                update core.authorizations set status = 'declined', held_amount = 0, response_code = $2, decline_reason = $3, decided_at = $4 where authorization_id = $1
                """, cancellationToken, auth.Id, reason.ResponseCode, reason.Code, time.GetUtcNow());
            var available = await ledger.ReleaseHoldAsync(tx, auth.AccountId, auth.Id, null, auth.Held, auth.Currency, "Hold released: authorization abandoned", cancellationToken);
            await outbox.EnqueueAsync(tx, AuthorizationService.ReversalOutboxKind, auth.Id,
                JsonSerializer.SerializeToElement(auth.Request, ProcessorJsonContext.Default.ProcessorAuthorizeRequest), cancellationToken);
            // The caller may retry with its key: it gets this decline, not a second authorization.
            await Sql.ExecuteAsync(connection, tx, """
                update core.idempotency_keys set status_code = 200, response = $3 where scope = $1 and idempotency_key = $2 and status_code = 0
                """, cancellationToken, auth.IdempotencyScope, auth.IdempotencyKey,
                JsonSerializer.Serialize(new AuthorizationResponse(auth.Id, auth.CardId, auth.AccountId, "declined", auth.Amount, 0, auth.Currency, reason.ResponseCode,
                    reason.Code, reason.Message, available, null, time.GetUtcNow()), MoneyJsonContext.Default.AuthorizationResponse));
            entries.Add(FinancialAudit.Entry("authorization.declined", FinancialAudit.Worker, null, "authorization", auth.Id,
                new Dictionary<string, object?> { ["declineReason"] = reason.Code, ["responseCode"] = reason.ResponseCode, ["cause"] = "abandoned", ["reversalQueued"] = true }));
        }
        // Last, as above: no row lock is taken once the audit chain's lock is held.
        foreach (var entry in entries) await audit.AppendAsync(entry, tx, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (abandoned.Count > 0) outbox.Wake();
        return abandoned.Count;
    }

}
