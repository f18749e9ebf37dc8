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

    /// <summary>The authorizations whose reversal waits for an operator.</summary>
    public const string WaitingAuthorizationsSql = $"""
        select o.authorization_id from core.card_operations o
        where o.kind = 'reversal'
        group by o.authorization_id
        having {AllAttemptsFailed}
        """;
}
