using Npgsql;
using Platform.Api.Data;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Reconciliation;

/// <summary>
/// Compares the platform's authorizations, operations and ledger with the processor's own records for a period, and
/// lists every disagreement. Anything still on its way (an operation not settled, an outbox message not delivered)
/// is counted as in flight rather than reported, so a quiet system reconciles to zero differences. A reversal that
/// ran out of attempts is not in flight: it is listed until an operator has it settled.
/// </summary>
public sealed class ProcessorReconciler(NpgsqlDataSource dataSource, ProcessorOperationsClient processor)
{
    private sealed record PlatformAuthorization(Guid Id, string CardToken, string Status, long ApprovedAmount, string? ProcessorId,
        long Captured, long Refunded, bool Reversed, int InFlight, Guid AccountId, bool ReversalNeedsAttention);

    public async Task<ReconciliationReport> ReconcileAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var differences = new List<ReconciliationDifference>();
        var platform = new List<PlatformAuthorization>();
        int outboxInFlight;
        var reversalsToRun = new HashSet<Guid>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await using (var command = Sql.Command(connection, null, """
                select a.authorization_id, c.processor_card_token, a.status, a.approved_amount, a.processor_authorization_id,
                    coalesce(sum(o.amount) filter (where o.kind = 'capture' and o.status = 'succeeded'), 0),
                    coalesce(sum(o.amount) filter (where o.kind = 'refund' and o.status = 'succeeded'), 0),
                    coalesce(bool_or(o.kind in ('void', 'reversal') and o.status = 'succeeded'), false),
                    count(o.operation_id) filter (where o.status in ('requested', 'submitted')),
                    a.account_id,
                    coalesce(bool_or(o.kind = 'reversal') and bool_and(o.kind <> 'reversal' or o.status = 'failed'), false)
                from core.authorizations a
                join core.cards c on c.card_id = a.card_id
                left join core.card_operations o on o.authorization_id = a.authorization_id
                where a.created_at >= $1 and a.created_at < $2 and c.processor_card_token is not null and a.status <> 'pending'
                group by a.authorization_id, c.processor_card_token
                """, from, to))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    platform.Add(new PlatformAuthorization(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetBoolean(7), (int)reader.GetInt64(8), reader.GetGuid(9),
                        reader.GetBoolean(10)));
                }
            }
            await using (var pending = Sql.Command(connection, null,
                "select count(*) from core.outbox where status = 'pending' and kind in ('operation.submit', 'authorization.reversal')"))
            {
                outboxInFlight = (int)(long)(await pending.ExecuteScalarAsync(cancellationToken))!;
            }
            // A timeout's reversal begins by asking the processor again; until then the authorization is not settled.
            await using (var pendingReversals = Sql.Command(connection, null,
                "select subject_id from core.outbox where status = 'pending' and kind = 'authorization.reversal'"))
            await using (var reader = await pendingReversals.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) reversalsToRun.Add(reader.GetGuid(0));
            }
            await CheckLedgerAsync(connection, platform.Select(p => p.AccountId).Distinct().ToArray(), differences, cancellationToken);
            await CheckDeadOutboxAsync(connection, differences, cancellationToken);
        }

        // The processor stamps its record a moment after ours; look a little either side, then match by id.
        var processorRecords = new Dictionary<string, ProcessorAuthorizationRecord>();
        foreach (var token in platform.Select(p => p.CardToken).Distinct())
        {
            foreach (var record in await processor.ListAuthorizationsAsync(token, from.AddMinutes(-1), to.AddMinutes(1), cancellationToken))
                processorRecords[record.AuthorizationId] = record;
        }

        var inFlight = outboxInFlight;
        var matchedProcessorIds = new HashSet<string>();
        foreach (var auth in platform)
        {
            if (auth.InFlight > 0 || reversalsToRun.Contains(auth.Id))
            {
                // The outbox message itself is already counted above.
                inFlight += auth.InFlight;
                if (auth.ProcessorId is not null) matchedProcessorIds.Add(auth.ProcessorId);
                continue;
            }
            if (auth.ProcessorId is null)
            {
                // Declined before the processor, or a timeout whose reversal has not run yet (counted in flight above).
                continue;
            }
            matchedProcessorIds.Add(auth.ProcessorId);
            if (!processorRecords.TryGetValue(auth.ProcessorId, out var record))
            {
                differences.Add(new("missing_at_processor", auth.Id, auth.ProcessorId, "The processor has no record of this authorization.", auth.Status, null));
                continue;
            }
            if (auth.ReversalNeedsAttention && record.Approved && record.Status != "voided")
            {
                differences.Add(new("reversal_needs_attention", auth.Id, auth.ProcessorId,
                    "The processor refused every attempt to void this approval; an operator must retry it (POST /v1/reconciliation/reversals/{id}/retry) or settle it with the processor.",
                    auth.Status, record.Status));
                continue;
            }
            var platformApproved = auth.Status is "approved" or "voided" or "expired";
            if (auth.Status == "declined")
            {
                if (record.Approved && record.Status != "voided")
                    differences.Add(new("late_approval_not_reversed", auth.Id, auth.ProcessorId, "Declined here, approved and not voided at the processor.", auth.Status, record.Status));
                continue;
            }
            if (platformApproved != record.Approved)
                differences.Add(new("approval_mismatch", auth.Id, auth.ProcessorId, "Approved on one side only.", auth.Status, record.Status));
            if (auth.ApprovedAmount != record.ApprovedAmount)
                differences.Add(new("amount_mismatch", auth.Id, auth.ProcessorId, "Approved amounts differ.", auth.ApprovedAmount.ToString(), record.ApprovedAmount.ToString()));
            if (auth.Captured != record.CapturedAmount)
                differences.Add(new("captured_mismatch", auth.Id, auth.ProcessorId, "Captured amounts differ.", auth.Captured.ToString(), record.CapturedAmount.ToString()));
            if (auth.Refunded != record.RefundedAmount)
                differences.Add(new("refunded_mismatch", auth.Id, auth.ProcessorId, "Refunded amounts differ.", auth.Refunded.ToString(), record.RefundedAmount.ToString()));
            if (auth.Reversed != (record.Status == "voided"))
                differences.Add(new("void_mismatch", auth.Id, auth.ProcessorId, "Voided on one side only.", auth.Status, record.Status));
            else if (auth.Status == "expired" && record.CapturedAmount == 0 && record.Status != "voided")
                differences.Add(new("expired_hold_not_voided", auth.Id, auth.ProcessorId, "Expired here, still approved and not voided at the processor.", auth.Status, record.Status));
        }
        foreach (var record in processorRecords.Values)
        {
            if (matchedProcessorIds.Contains(record.AuthorizationId) || record.CreatedAt < from || record.CreatedAt >= to.AddSeconds(5)) continue;
            // An unknown approval that is voided moves no money; anything else on our cards must be explained.
            if (!record.Approved || record.Status == "voided") continue;
            differences.Add(new("unknown_to_platform", null, record.AuthorizationId, "The processor approved an authorization on one of our cards that the platform does not know.",
                null, $"{record.Status} {record.ApprovedAmount} {record.Currency}"));
        }

        return new ReconciliationReport(from, to, platform.Count, processorRecords.Count, platform.Select(p => p.AccountId).Distinct().Count(), inFlight,
            differences.Count == 0, differences);
    }

    /// <summary>Each account's running sums must equal its postings, and its held sum the holds of its authorizations.</summary>
    private static async Task CheckLedgerAsync(NpgsqlConnection connection, Guid[] accountIds, List<ReconciliationDifference> differences, CancellationToken cancellationToken)
    {
        if (accountIds.Length == 0) return;
        await using var command = Sql.Command(connection, null, """
            select a.account_id, a.held_amount, a.posted_balance,
                coalesce((select sum(p.amount) from core.ledger_postings p where p.account_id = a.account_id and p.balance_type = 'held'), 0),
                coalesce((select sum(p.amount) from core.ledger_postings p where p.account_id = a.account_id and p.balance_type = 'posted'), 0),
                coalesce((select sum(z.held_amount) from core.authorizations z where z.account_id = a.account_id), 0)
            from core.accounts a where a.account_id = any($1)
            """, accountIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (id, held, posted, heldPostings, postedPostings, authHolds) = (reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            if (held != heldPostings || held != authHolds || posted != postedPostings)
            {
                differences.Add(new("ledger_mismatch", null, null, $"Account {id}: balances differ from its postings.",
                    $"held {held}, posted {posted}", $"held postings {heldPostings}, authorization holds {authHolds}, posted postings {postedPostings}"));
            }
        }
    }

    private static async Task CheckDeadOutboxAsync(NpgsqlConnection connection, List<ReconciliationDifference> differences, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, null, "select kind, subject_id, last_error from core.outbox where status = 'dead' order by outbox_id limit 100");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            differences.Add(new("dead_outbox_message", reader.GetGuid(1), null, $"{reader.GetString(0)} was never acknowledged.", reader.IsDBNull(2) ? null : reader.GetString(2), null));
    }
}
