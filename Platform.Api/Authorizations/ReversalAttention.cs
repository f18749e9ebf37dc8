namespace Platform.Api.Authorizations;

/// <summary>
/// When a reversal waits for an operator: the authorization has reversal attempts and every one of them failed (the
/// processor refused each void and the attempts are used up or an operator has not retried yet). The one statement
/// of that rule, used by <see cref="ReversalMonitor"/>, the operators' queue and reconciliation.
/// </summary>
internal static class ReversalAttention
{
    /// <summary>An aggregate over the authorization's <c>core.card_operations</c> rows (alias <c>o</c>, grouped by authorization).</summary>
    public const string AllAttemptsFailed = "coalesce(bool_or(o.kind = 'reversal') and bool_and(o.kind <> 'reversal' or o.status = 'failed'), false)";

    /// <summary>
    /// The authorizations whose reversal waits for an operator: the same rule as <see cref="AllAttemptsFailed"/>, put as
    /// "a failed attempt and no attempt that has not failed", so it starts from the failed attempts (a small partial
    /// index) instead of grouping every reversal ever made. The grouping form took 88–107 ms a run on a benchmark
    /// database, every few seconds, and grew with it.
    /// </summary>
    public const string WaitingAuthorizationsSql = """
        select distinct f.authorization_id from core.card_operations f
        where f.kind = 'reversal' and f.status = 'failed'
            and not exists (select 1 from core.card_operations o
                where o.authorization_id = f.authorization_id and o.kind = 'reversal' and o.status <> 'failed')
        """;
}
