using Dapper;
using Npgsql;
using Platform.Api.Authorizations;

namespace Platform.Api.Reconciliation;

/// <summary>The reads reconciliation and the operators' reversal queue make; each statement as the checks need it, rows by column name.</summary>
public sealed class ReconciliationStore
{
    /// <summary>An authorization as reconciliation compares it: what the platform approved, captured, refunded and voided, and what is in flight.</summary>
    public sealed record PlatformAuthorization(Guid Id, string CardToken, AuthorizationStatus Status, long ApprovedAmount, string? ProcessorId,
        long Captured, long Refunded, bool Reversed, int InFlight, Guid AccountId, bool ReversalNeedsAttention);

    /// <remarks>Sums of bigint are numeric in PostgreSQL, so decimal here (whole minor units all the same).</remarks>
    private sealed record AuthorizationRow(Guid AuthorizationId, string ProcessorCardToken, AuthorizationStatus Status, long ApprovedAmount,
        string? ProcessorAuthorizationId, decimal Captured, decimal Refunded, bool Reversed, long InFlight, Guid AccountId, bool ReversalNeedsAttention);

    /// <summary>The decided authorizations created in [from, to) on cards the processor knows.</summary>
    public async Task<IReadOnlyList<PlatformAuthorization>> AuthorizationsAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken) =>
        (await connection.QueryAsync<AuthorizationRow>(new CommandDefinition($"""
            select a.authorization_id, c.processor_card_token, a.status, a.approved_amount, a.processor_authorization_id,
                coalesce(sum(o.amount) filter (where o.kind = 'capture' and o.status = 'succeeded'), 0) as captured,
                coalesce(sum(o.amount) filter (where o.kind = 'refund' and o.status = 'succeeded'), 0) as refunded,
                coalesce(bool_or(o.kind in ('void', 'reversal') and o.status = 'succeeded'), false) as reversed,
                count(o.operation_id) filter (where o.status in ('requested', 'submitted')) as in_flight,
                a.account_id,
                {ReversalAttention.AllAttemptsFailed} as reversal_needs_attention
            from core.authorizations a
            join core.cards c on c.card_id = a.card_id
            left join core.card_operations o on o.authorization_id = a.authorization_id
            where a.created_at >= @from and a.created_at < @to and c.processor_card_token is not null and a.status <> 'pending'
            group by a.authorization_id, c.processor_card_token
            """, new { from, to }, cancellationToken: cancellationToken)))
        .Select(r => new PlatformAuthorization(r.AuthorizationId, r.ProcessorCardToken, r.Status, r.ApprovedAmount, r.ProcessorAuthorizationId, (long)r.Captured,
            (long)r.Refunded, r.Reversed, (int)r.InFlight, r.AccountId, r.ReversalNeedsAttention))
        .ToList();

    /// <summary>Operation submissions and timeout reversals the outbox has not delivered yet.</summary>
    public async Task<int> OutboxInFlightAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from core.outbox where status = 'pending' and kind in ('operation.submit', 'authorization.reversal')", cancellationToken: cancellationToken));

    /// <summary>Authorizations whose timeout reversal has not asked the processor yet.</summary>
    public async Task<HashSet<Guid>> ReversalsToRunAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<Guid>(new CommandDefinition(
            "select subject_id from core.outbox where status = 'pending' and kind = 'authorization.reversal'", cancellationToken: cancellationToken))).ToHashSet();

    /// <summary>Of these processor ids, the ones some platform authorization carries, whenever it was made.</summary>
    public async Task<HashSet<string>> KnownProcessorIdsAsync(NpgsqlConnection connection, string[] processorIds, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<string>(new CommandDefinition(
            "select processor_authorization_id from core.authorizations where processor_authorization_id = any(@processorIds)",
            new { processorIds }, cancellationToken: cancellationToken))).ToHashSet();

    /// <summary>An account's running sums beside the sums of its postings and of its authorizations' holds.</summary>
    public sealed record LedgerSums(Guid AccountId, long Held, long Posted, long HeldPostings, long PostedPostings, long AuthorizationHolds);

    private sealed record LedgerRow(Guid AccountId, long HeldAmount, long PostedBalance, decimal HeldPostings, decimal PostedPostings, decimal AuthorizationHolds);

    public async Task<IReadOnlyList<LedgerSums>> LedgerSumsAsync(NpgsqlConnection connection, Guid[] accountIds, CancellationToken cancellationToken)
    {
        if (accountIds.Length == 0) return [];
        return (await connection.QueryAsync<LedgerRow>(new CommandDefinition("""
            select a.account_id, a.held_amount, a.posted_balance,
                coalesce((select sum(p.amount) from core.ledger_postings p where p.account_id = a.account_id and p.balance_type = 'held'), 0) as held_postings,
                coalesce((select sum(p.amount) from core.ledger_postings p where p.account_id = a.account_id and p.balance_type = 'posted'), 0) as posted_postings,
                coalesce((select sum(z.held_amount) from core.authorizations z where z.account_id = a.account_id), 0) as authorization_holds
            from core.accounts a where a.account_id = any(@accountIds)
            """, new { accountIds }, cancellationToken: cancellationToken)))
            .Select(r => new LedgerSums(r.AccountId, r.HeldAmount, r.PostedBalance, (long)r.HeldPostings, (long)r.PostedPostings, (long)r.AuthorizationHolds))
            .ToList();
    }

    public sealed record DeadMessage(string Kind, Guid SubjectId, string? LastError);

    /// <summary>Outbox messages that ran out of attempts (the first hundred).</summary>
    public async Task<IReadOnlyList<DeadMessage>> DeadOutboxAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<DeadMessage>(new CommandDefinition(
            "select kind, subject_id, last_error from core.outbox where status = 'dead' order by outbox_id limit 100", cancellationToken: cancellationToken))).AsList();

    /// <remarks><c>needs_attention</c> is <see cref="ReversalAttention"/>'s rule.</remarks>
    private sealed record OpenReversalRow(Guid AuthorizationId, Guid AccountId, string Status, long Amount, string Currency, long Attempts, bool NeedsAttention,
        string? LastFailure, DateTimeOffset? LastFailedAt);

    /// <summary>Open reversals with a refused attempt, those waiting for an operator first, oldest first.</summary>
    public async Task<IReadOnlyList<OpenReversal>> OpenReversalsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<OpenReversalRow>(new CommandDefinition($"""
            select o.authorization_id, a.account_id, a.status, max(o.amount) as amount, a.currency, count(*) as attempts,
                {ReversalAttention.AllAttemptsFailed} as needs_attention,
                (array_agg(o.failure_reason order by o.created_at desc) filter (where o.status = 'failed'))[1] as last_failure,
                max(o.completed_at) filter (where o.status = 'failed') as last_failed_at
            from core.card_operations o join core.authorizations a on a.authorization_id = o.authorization_id
            where o.kind = 'reversal'
                and o.authorization_id in (select authorization_id from core.card_operations where kind = 'reversal' and status = 'failed')
            group by o.authorization_id, a.account_id, a.status, a.currency
            having not bool_or(o.status = 'succeeded')
            order by {ReversalAttention.AllAttemptsFailed} desc, min(o.created_at)
            limit 500
            """, cancellationToken: cancellationToken)))
        .Select(r => new OpenReversal(r.AuthorizationId, r.AccountId, r.Status, r.Amount, r.Currency, r.NeedsAttention ? "needs_attention" : "retrying", (int)r.Attempts,
            r.LastFailure, r.LastFailedAt))
        .ToList();

    public async Task<bool> AuthorizationExistsAsync(NpgsqlConnection connection, Guid authorizationId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition("select 1 from core.authorizations where authorization_id = @authorizationId",
            new { authorizationId }, cancellationToken: cancellationToken)) is not null;
}
