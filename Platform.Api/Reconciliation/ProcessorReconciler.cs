using Npgsql;
using Platform.Api.Authorizations;
using Platform.Api.Integrations.Processor;

namespace Platform.Api.Reconciliation;

/// <summary>
/// Compares the platform's authorizations, operations and ledger with the processor's own records for a period, and
/// lists every disagreement. Anything still on its way (an operation not settled, an outbox message not delivered)
/// is counted as in flight rather than reported, so a quiet system reconciles to zero differences. A reversal that
/// ran out of attempts is not in flight: it is listed until an operator has it settled.
/// </summary>
public sealed class ProcessorReconciler(NpgsqlDataSource dataSource, ReconciliationStore store, ProcessorOperationsClient processor)
{
    public async Task<ReconciliationReport> ReconcileAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var differences = new List<ReconciliationDifference>();
        IReadOnlyList<ReconciliationStore.PlatformAuthorization> platform;
        int outboxInFlight;
        HashSet<Guid> reversalsToRun;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            platform = await store.AuthorizationsAsync(connection, from, to, cancellationToken);
            outboxInFlight = await store.OutboxInFlightAsync(connection, cancellationToken);
            // A timeout's reversal begins by asking the processor again; until then the authorization is not settled.
            reversalsToRun = await store.ReversalsToRunAsync(connection, cancellationToken);
            foreach (var account in await store.LedgerSumsAsync(connection, platform.Select(p => p.AccountId).Distinct().ToArray(), cancellationToken))
            {
                if (account.Held != account.HeldPostings || account.Held != account.AuthorizationHolds || account.Posted != account.PostedPostings)
                {
                    differences.Add(new("ledger_mismatch", null, null, $"Account {account.AccountId}: balances differ from its postings.",
                        $"held {account.Held}, posted {account.Posted}",
                        $"held postings {account.HeldPostings}, authorization holds {account.AuthorizationHolds}, posted postings {account.PostedPostings}"));
                }
            }
            foreach (var dead in await store.DeadOutboxAsync(connection, cancellationToken))
                differences.Add(new("dead_outbox_message", dead.SubjectId, null, $"{dead.Kind} was never acknowledged.", dead.LastError, null));
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
                differences.Add(new("missing_at_processor", auth.Id, auth.ProcessorId, "The processor has no record of this authorization.", auth.Status.Db(), null));
                continue;
            }
            if (auth.ReversalNeedsAttention && record.Approved && !record.IsVoided)
            {
                differences.Add(new("reversal_needs_attention", auth.Id, auth.ProcessorId,
                    "The processor refused every attempt to void this approval; an operator must retry it (POST /v1/reconciliation/reversals/{id}/retry) or settle it with the processor.",
                    auth.Status.Db(), record.Status));
                continue;
            }
            var platformApproved = auth.Status is AuthorizationStatus.Approved or AuthorizationStatus.Voided or AuthorizationStatus.Expired;
            if (auth.Status == AuthorizationStatus.Declined)
            {
                if (record.Approved && !record.IsVoided)
                    differences.Add(new("late_approval_not_reversed", auth.Id, auth.ProcessorId, "Declined here, approved and not voided at the processor.", auth.Status.Db(), record.Status));
                continue;
            }
            if (platformApproved != record.Approved)
                differences.Add(new("approval_mismatch", auth.Id, auth.ProcessorId, "Approved on one side only.", auth.Status.Db(), record.Status));
            if (auth.ApprovedAmount != record.ApprovedAmount)
                differences.Add(new("amount_mismatch", auth.Id, auth.ProcessorId, "Approved amounts differ.", auth.ApprovedAmount.ToString(), record.ApprovedAmount.ToString()));
            if (auth.Captured != record.CapturedAmount)
                differences.Add(new("captured_mismatch", auth.Id, auth.ProcessorId, "Captured amounts differ.", auth.Captured.ToString(), record.CapturedAmount.ToString()));
            if (auth.Refunded != record.RefundedAmount)
                differences.Add(new("refunded_mismatch", auth.Id, auth.ProcessorId, "Refunded amounts differ.", auth.Refunded.ToString(), record.RefundedAmount.ToString()));
            if (auth.Reversed != record.IsVoided)
                differences.Add(new("void_mismatch", auth.Id, auth.ProcessorId, "Voided on one side only.", auth.Status.Db(), record.Status));
            else if (auth.Status == AuthorizationStatus.Expired && record.CapturedAmount == 0 && !record.IsVoided)
                differences.Add(new("expired_hold_not_voided", auth.Id, auth.ProcessorId, "Expired here, still approved and not voided at the processor.", auth.Status.Db(), record.Status));
        }
        // An unknown approval that is voided moves no money; anything else on our cards must be explained.
        var unmatched = processorRecords.Values
            .Where(r => !matchedProcessorIds.Contains(r.AuthorizationId) && r.CreatedAt >= from && r.CreatedAt < to.AddSeconds(5) && r.Approved && !r.IsVoided)
            .ToList();
        // The processor stamps its record after ours, by as long as it took to answer: an authorization made just before
        // the period can have its processor record inside it. Known to the platform, it belongs to the period before.
        HashSet<string> knownElsewhere = [];
        if (unmatched.Count > 0)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            knownElsewhere = await store.KnownProcessorIdsAsync(connection, unmatched.Select(r => r.AuthorizationId).ToArray(), cancellationToken);
        }
        foreach (var record in unmatched)
        {
            if (knownElsewhere.Contains(record.AuthorizationId)) continue;
            differences.Add(new("unknown_to_platform", null, record.AuthorizationId, "The processor approved an authorization on one of our cards that the platform does not know.",
                null, $"{record.Status} {record.ApprovedAmount} {record.Currency}"));
        }

        return new ReconciliationReport(from, to, platform.Count, processorRecords.Count, platform.Select(p => p.AccountId).Distinct().Count(), inFlight,
            differences.Count == 0, differences);
    }
}
